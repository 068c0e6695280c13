/**
 * Op family 'conv' (docs/OPS.md): NHWC convolutions, one op per file under
 * ./conv/. No op adds a bias; a bias is a broadcasting `add` after it.
 */
import './conv/conv2d.js';
import './conv/conv1d.js';
import './conv/depthwise.js';
import './conv/transpose.js';
