/**
 * Byte quantities affine in the batch size: `base + perBatch * N`. Buffer
 * sizes, offsets and the arena size of a memory plan are all of this form, so
 * one plan serves every batch size chosen at run time. The type is the
 * runtime's (the bundle's layouts carry it); the arithmetic of building
 * plans and layouts, which the runtime never needs, is here.
 */
import type { Affine } from '../../runtime/affine.js';
import { bytesPerElement, formatType, type TensorType } from '../ir/types.js';

export { evalAffine, type Affine } from '../../runtime/affine.js';

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

export function sameAffine(a: Affine, b: Affine): boolean {
  return a.base === b.base && a.perBatch === b.perBatch;
}

export function alignUp(bytes: number, alignment = ALIGNMENT): number {
  return Math.ceil(bytes / alignment) * alignment;
}

/** A size that does not depend on the batch. */
export function staticAffine(bytes: number): Affine {
  return { base: bytes, perBatch: 0 };
}

export function addAffine(a: Affine, b: Affine): Affine {
  return { base: a.base + b.base, perBatch: a.perBatch + b.perBatch };
}

/** The larger of two sizes for every N (both parts are maxed). */
export function maxAffine(a: Affine, b: Affine): Affine {
  return { base: Math.max(a.base, b.base), perBatch: Math.max(a.perBatch, b.perBatch) };
}

/** Both parts rounded up to `alignment`, so the value is aligned for every N. */
export function alignAffine(a: Affine, alignment = ALIGNMENT): Affine {
  return { base: alignUp(a.base, alignment), perBatch: alignUp(a.perBatch, alignment) };
}

export function formatAffine(a: Affine): string {
  if (a.perBatch === 0) return `${a.base}`;
  return a.base === 0 ? `${a.perBatch}*N` : `${a.base}+${a.perBatch}*N`;
}
