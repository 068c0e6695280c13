/**
 * Renders compiler/ir/op_types.ts from the op registry: one name constant and
 * one attribute interface per op, spelt from its schema. test/ir/op_types.test.ts
 * checks the committed file against it; `npx tsx scripts/update-op-types.ts`
 * rewrites it after an op or an attribute changes.
 */
import '../../compiler/ops/index.js';
import type { AttrSpec } from '../../compiler/ir/attrs.js';
import { allOps } from '../../compiler/ir/op.js';

export const OP_TYPES_PATH = new URL('../../compiler/ir/op_types.ts', import.meta.url).pathname;

function tsType(spec: AttrSpec): string {
  switch (spec.kind) {
    case 'int':
    case 'float':
      return 'number';
    case 'bool':
      return 'boolean';
    case 'string':
      return spec.values ? spec.values.map((v) => `'${v}'`).join(' | ') : 'string';
    case 'dtype':
      return 'DType';
    case 'ints':
    case 'floats':
      return 'readonly number[]';
    case 'dims':
      return 'readonly (number | \'N\')[]';
    case 'intss':
      return 'readonly (readonly number[])[]';
  }
}

export function renderOpTypes(): string {
  const ops = allOps();
  const lines = [
    '/**',
    ' * Generated from each op\'s attribute schema by scripts/update-op-types.ts;',
    ' * do not edit (test/ir/op_types.test.ts fails when it is out of date).',
    ' * `OP` names every op; `OpAttrs[op]` is the type of a node\'s complete',
    ' * attributes, as the parser and the builder leave them.',
    ' */',
    "import type { DType } from './types.js';",
    '',
    'export const OP = {',
    ...ops.map((d) => `  ${d.name}: '${d.name}',`),
    '} as const;',
    '',
    'export type OpName = (typeof OP)[keyof typeof OP];',
    '',
    'export interface OpAttrs {',
  ];
  for (const d of ops) {
    const entries = Object.entries(d.attrs);
    if (entries.length === 0) {
      lines.push(`  ${d.name}: Record<never, never>;`);
      continue;
    }
    lines.push(`  ${d.name}: {`);
    for (const [key, spec] of entries) lines.push(`    readonly ${key}: ${tsType(spec)};`);
    lines.push('  };');
  }
  lines.push('}', '');
  return lines.join('\n');
}
