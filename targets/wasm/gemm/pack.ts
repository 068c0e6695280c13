/**
 * Build-time packing of a constant GEMM operand B[K,N] (a Dense kernel, an
 * im2col'd convolution filter) into the panel layout the micro-kernel reads:
 * panel p holds columns [p*NR, p*NR+NR) as K consecutive rows of NR floats, so
 * each k step of the micro-kernel loads NR/4 contiguous f32x4 vectors. Columns
 * past N in the last panel are zero, so the kernel can always compute full
 * panels and only has to mask the stores.
 */

/** The packed layout of a [K,N] operand in panels of `nr` columns. */
export interface PanelLayout {
  k: number;
  n: number;
  nr: number;
  /** Number of panels, ceil(n / nr). */
  panels: number;
  /** Floats per panel, k * nr. */
  panelFloats: number;
}

export function panelLayout(k: number, n: number, nr: number): PanelLayout {
  if (!Number.isInteger(k) || k < 1 || !Number.isInteger(n) || n < 1) {
    throw new RangeError(`GEMM packing: K and N must be positive integers, got K=${k}, N=${n}`);
  }
  if (!Number.isInteger(nr) || nr < 4 || nr % 4 !== 0) {
    throw new RangeError(`GEMM packing: panel width NR must be a positive multiple of 4, got ${nr}`);
  }
  const panels = Math.ceil(n / nr);
  return { k, n, nr, panels, panelFloats: k * nr };
}

/** Packs row-major B[K,N] into panels; the result has panels * K * NR floats. */
export function packB(b: Float32Array, layout: PanelLayout): Float32Array {
  const { k, n, nr, panels, panelFloats } = layout;
  if (b.length !== k * n) {
    throw new RangeError(`GEMM packing: B has ${b.length} values, expected K*N = ${k}*${n} = ${k * n}`);
  }
  const packed = new Float32Array(panels * panelFloats);
  for (let p = 0; p < panels; p++) {
    const col0 = p * nr;
    const width = Math.min(nr, n - col0);
    for (let kk = 0; kk < k; kk++) {
      const src = kk * n + col0;
      packed.set(b.subarray(src, src + width), p * panelFloats + kk * nr);
    }
  }
  return packed;
}
