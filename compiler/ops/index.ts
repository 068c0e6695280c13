/** Registers every op family; import this once before building or reading graphs. */
import './const.js';
import './elementwise.js';
import './reduce.js';
import './norm.js';
import './linalg.js';
import './conv.js';
import './pool.js';
import './resize.js';
import './shape.js';
import './recurrent.js';
import './fused.js';
