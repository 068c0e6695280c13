/**
 * Byte quantities affine in the batch size: `base + perBatch * N`. Buffer
 * sizes, offsets and the arena size of a memory plan are all of this form, so
 * one plan serves every batch size chosen at run time.
 */
import { bytesPerElement, formatType, type TensorType } from '../ir/types.js';

export interface Affine {
  base: number;
  perBatch: number;
}

/** Buffer offsets are multiples of this many bytes (WebGPU storage bindings need 256). */
export const ALIGNMENT = 256;

export class PlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanError';
  }
}

/** The byte size of a tensor type; `N` counts as the batch. `what` names the value in errors. */
export function affineBytes(type: TensorType, what: string): Affine {
  let staticCount = 1;
  let batchEntries = 0;
  for (const d of type.shape) {
    if (d === 'N') batchEntries++;
    else staticCount *= d;
  }
  if (batchEntries > 1) {
    throw new PlanError(`${what} has type ${formatType(type)}: memory planning needs sizes linear in the batch N`);
  }
  const bytes = staticCount * bytesPerElement(type.dtype);
  return batchEntries === 0 ? { base: bytes, perBatch: 0 } : { base: 0, perBatch: bytes };
}

export function evalAffine(a: Affine, batch: number): number {
  return a.base + a.perBatch * batch;
}

export function sameAffine(a: Affine, b: Affine): boolean {
  return a.base === b.base && a.perBatch === b.perBatch;
}

export function alignUp(bytes: number, alignment = ALIGNMENT): number {
  return Math.ceil(bytes / alignment) * alignment;
}

export function formatAffine(a: Affine): string {
  if (a.perBatch === 0) return `${a.base}`;
  return a.base === 0 ? `${a.perBatch}*N` : `${a.base}+${a.perBatch}*N`;
}
