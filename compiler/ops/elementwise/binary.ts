/**
 * Binary elementwise ops with NumPy broadcasting and equal operand dtypes:
 * arithmetic keeps the dtype, comparisons give bool, logical ops take bool.
 */
import { defineBinary, type BinarySpec } from './define.js';

const NUMERIC = ['f32', 'i32'] as const;
const ANY = ['f32', 'i32', 'bool'] as const;

const BINARY_OPS: BinarySpec[] = [
  { name: 'add', doc: 'a + b.', fn: (a, b) => a + b, dtypes: NUMERIC },
  { name: 'sub', doc: 'a - b.', fn: (a, b) => a - b, dtypes: NUMERIC },
  { name: 'mul', doc: 'a * b (i32 wraps like int32).', fn: (a, b) => a * b, intFn: (a, b) => Math.imul(a, b), dtypes: NUMERIC },
  { name: 'div', doc: 'a / b (f32).', fn: (a, b) => a / b, dtypes: ['f32'] },
  { name: 'pow', doc: 'a ** b (f32).', fn: (a, b) => Math.pow(a, b), dtypes: ['f32'] },
  { name: 'maximum', doc: 'max(a, b); NaN propagates.', fn: (a, b) => Math.max(a, b), dtypes: NUMERIC },
  { name: 'minimum', doc: 'min(a, b); NaN propagates.', fn: (a, b) => Math.min(a, b), dtypes: NUMERIC },
  { name: 'equal', doc: 'a == b as bool.', fn: (a, b) => (a === b ? 1 : 0), dtypes: ANY, result: 'bool' },
  { name: 'not_equal', doc: 'a != b as bool.', fn: (a, b) => (a !== b ? 1 : 0), dtypes: ANY, result: 'bool' },
  { name: 'less', doc: 'a < b as bool.', fn: (a, b) => (a < b ? 1 : 0), dtypes: NUMERIC, result: 'bool' },
  { name: 'less_equal', doc: 'a <= b as bool.', fn: (a, b) => (a <= b ? 1 : 0), dtypes: NUMERIC, result: 'bool' },
  { name: 'greater', doc: 'a > b as bool.', fn: (a, b) => (a > b ? 1 : 0), dtypes: NUMERIC, result: 'bool' },
  { name: 'greater_equal', doc: 'a >= b as bool.', fn: (a, b) => (a >= b ? 1 : 0), dtypes: NUMERIC, result: 'bool' },
  { name: 'logical_and', doc: 'a and b (bool).', fn: (a, b) => (a && b ? 1 : 0), dtypes: ['bool'] },
  { name: 'logical_or', doc: 'a or b (bool).', fn: (a, b) => (a || b ? 1 : 0), dtypes: ['bool'] },
];

for (const spec of BINARY_OPS) defineBinary(spec);
