/**
 * Rewrites compiler/ir/op_types.ts (op-name constants and typed attributes)
 * from the op registry. Run it after adding an op or changing an attribute
 * schema: `npx tsx scripts/update-op-types.ts`.
 */
import { writeFileSync } from 'node:fs';
import { OP_TYPES_PATH, renderOpTypes } from '../test/ir/op_types.js';

writeFileSync(OP_TYPES_PATH, renderOpTypes());
console.log(`updated ${OP_TYPES_PATH}`);
