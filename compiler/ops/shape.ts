/**
 * Op family 'shape' (see docs/OPS.md): ops that rearrange, cut, join, repeat or
 * create tensors without arithmetic. One file per group under `shape/`.
 */
import './shape/reshape.js';
import './shape/permute.js';
import './shape/concat.js';
import './shape/slice.js';
import './shape/gather.js';
import './shape/tile.js';
import './shape/fill.js';
