/**
 * Prints a graph in the IR text form. Output is deterministic: values are
 * numbered in order of definition (%0, %1, ...), named graph inputs keep their
 * names, attributes print in schema order. `parseGraph` reads it back.
 *
 *   graph @mlp(%x: f32[N,16]) -> (y: f32[N,4]) {
 *     %0 = const {ref="dense/kernel", dtype="f32", shape=[16,4]} : f32[16,4]
 *     %1 = matmul(%x, %0) {transpose_a=false, transpose_b=false} : f32[N,4]
 *     return %1
 *   }
 */
import { formatAttrValue, formatNumber } from './attrs.js';
import type { Graph, Value } from './graph.js';
import { formatShape, formatType } from './types.js';

export interface PrintOptions {
  /** Append a `weights { ... }` block holding every weight's values. */
  weights?: boolean;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_.]*$/;

export function formatName(name: string): string {
  return IDENT.test(name) ? name : JSON.stringify(name);
}

class Namer {
  private names = new Map<number, string>();
  private used = new Set<string>();
  private counter = 0;

  name(v: Value): string {
    const n = this.names.get(v.id);
    if (n === undefined) throw new Error(`value #${v.id} is used before it is defined`);
    return `%${n}`;
  }

  define(v: Value, preferred?: string): string {
    let n: string;
    if (preferred !== undefined && !this.used.has(formatName(preferred)) && !/^[0-9]+$/.test(preferred)) {
      n = formatName(preferred);
    } else {
      n = String(this.counter++);
    }
    this.used.add(n);
    this.names.set(v.id, n);
    return `%${n}`;
  }
}

function printGraphInto(g: Graph, namer: Namer, indent: string, lines: string[]): void {
  const params = g.inputs.map((v) => `${namer.define(v, v.name)}: ${formatType(v.type)}`);
  const results = g.outputs.map((o) => `${formatName(o.name)}: ${formatType(o.value.type)}`);
  lines.push(`${indent}graph @${formatName(g.name)}(${params.join(', ')}) -> (${results.join(', ')}) {`);
  const inner = indent + '  ';
  for (const node of g.nodes) {
    const args = node.inputs.map((v) => namer.name(v)).join(', ');
    const attrs = Object.entries(node.attrs).map(([k, v]) => `${k}=${formatAttrValue(v)}`);
    const attrText = attrs.length ? ` {${attrs.join(', ')}}` : '';
    const defs = node.outputs.map((v) => namer.define(v)).join(', ');
    const types = node.outputs.map((v) => formatType(v.type)).join(', ');
    const head = `${inner}${defs} = ${node.op}(${args})${attrText} : ${types}`;
    if (node.body) {
      lines.push(`${head} {`);
      printGraphInto(node.body, namer, inner + '  ', lines);
      lines.push(`${inner}}`);
    } else {
      lines.push(head);
    }
  }
  lines.push(`${inner}return ${g.outputs.map((o) => namer.name(o.value)).join(', ')}`);
  lines.push(`${indent}}`);
}

export function printGraph(g: Graph, options: PrintOptions = {}): string {
  const lines: string[] = [];
  printGraphInto(g, new Namer(), '', lines);
  if (options.weights && g.weights.size > 0) {
    lines.push('weights {');
    const names = [...g.weights.keys()].sort();
    for (const name of names) {
      const t = g.weights.get(name)!;
      const values = Array.from(t.data, (x) => formatNumber(x)).join(',');
      lines.push(`  ${JSON.stringify(name)}: ${t.dtype}${formatShape(t.shape)} = [${values}]`);
    }
    lines.push('}');
  }
  return lines.join('\n') + '\n';
}
