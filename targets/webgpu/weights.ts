/**
 * The WebGPU weights file's layout: a weight blob (../common/weight_blob.ts)
 * whose entries (a weight in its plain row-major layout, or a derived constant
 * a kernel asked for) are 256-byte aligned so each can be bound on its own,
 * cut into pages that each fit one storage binding (`PAGE_BYTES`, WebGPU's
 * default maxStorageBufferBindingSize). An entry larger than a page gets a
 * page of its own (the runtime then needs a device whose limit holds it, and
 * says so otherwise).
 */
import { ALIGNMENT } from '../../compiler/plan/affine.js';
import type { BlobLayout } from '../common/weight_blob.js';

export type { WeightPage } from '../common/weight_blob.js';

export const PAGE_BYTES = 128 * 1024 * 1024;

export const GPU_BLOB: BlobLayout = { alignment: ALIGNMENT, minEntryBytes: 4, pageBytes: PAGE_BYTES };
