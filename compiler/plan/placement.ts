/**
 * Offset assignment for buffers with known lifetimes in one linear region:
 * greedy by size with best fit. Buffers are placed largest first; each goes
 * into the smallest gap, among the buffers already placed whose lifetimes
 * overlap its own, that fits it, or above all of them when no gap does.
 * Large activations thus claim the bottom of the region early and smaller
 * ones fill the holes between them, which keeps the peak near the largest
 * set of simultaneously live tensors for typical CNNs.
 * Sizes must already be multiples of the alignment; offsets then are too.
 */
export interface Lifetime {
  /** First and last positions (inclusive) at which the buffer is live. */
  start: number;
  end: number;
  size: number;
}

export interface Placement {
  offsets: number[];
  /** The region's size: the highest end of any buffer. */
  total: number;
}

function overlapsInTime(a: Lifetime, b: Lifetime): boolean {
  return a.start <= b.end && b.start <= a.end;
}

export function placeBuffers(buffers: readonly Lifetime[]): Placement {
  const order = buffers
    .map((_, i) => i)
    .sort((a, b) => buffers[b].size - buffers[a].size || buffers[a].start - buffers[b].start || a - b);
  const offsets = new Array<number>(buffers.length).fill(0);
  const placed: number[] = [];
  let total = 0;
  for (const i of order) {
    const buffer = buffers[i];
    const conflicts = placed
      .filter((j) => overlapsInTime(buffers[j], buffer) && buffers[j].size > 0)
      .sort((a, b) => offsets[a] - offsets[b]);
    let best: number | undefined;
    let bestGap = Infinity;
    let top = 0;
    for (const j of conflicts) {
      const gap = offsets[j] - top;
      if (gap >= buffer.size && gap < bestGap) {
        best = top;
        bestGap = gap;
      }
      top = Math.max(top, offsets[j] + buffers[j].size);
    }
    offsets[i] = best ?? top;
    placed.push(i);
    total = Math.max(total, offsets[i] + buffer.size);
  }
  return { offsets, total };
}
