/**
 * Elementwise op family (see docs/OPS.md, "elementwise.ts"): unary math and
 * activations, conversions, broadcasting binary ops and `select`. Each file
 * below registers its ops on import.
 */
import './elementwise/unary.js';
import './elementwise/convert.js';
import './elementwise/binary.js';
import './elementwise/select.js';
