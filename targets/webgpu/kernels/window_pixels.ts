/**
 * WGSL shared by the NHWC sliding-window kernels (depthwise convolution,
 * pooling): one invocation per output element, its linear index `gi` split
 * into image, output row, output column and channel, and the window's first
 * input row / column (negative inside the top / left padding).
 */
import type { Window2D } from '../../../compiler/ops/conv/window.js';

export const WINDOW_LANES = 64;

/** An i32 expression `base - offset` that drops a zero offset. */
function minus(base: string, offset: number): string {
  return offset === 0 ? base : `${base} - ${offset}i`;
}

/**
 * Statements declaring `n`, `oy`, `ox`, `ch` for output element `gi` of
 * [*, outH, outW, channels], and `iy0` / `ix0`, the window origin on the input.
 */
export function outputWindow(win: Window2D, channels: number): string {
  return [
    `let ch = gi % ${channels}u;`,
    `let pixel = gi / ${channels}u;`,
    `let ox = pixel % ${win.outW}u;`,
    `let oy = (pixel / ${win.outW}u) % ${win.outH}u;`,
    `let n = pixel / ${win.outW * win.outH}u;`,
    `let iy0 = ${minus(`i32(oy * ${win.strideH}u)`, win.padTop)};`,
    `let ix0 = ${minus(`i32(ox * ${win.strideW}u)`, win.padLeft)};`,
  ].join('\n');
}

/** Indents every line of `text` by two spaces (a statement block's body). */
export function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : `  ${line}`))
    .join('\n');
}
