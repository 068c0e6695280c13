/**
 * Elementwise kernels: a plain elementwise op, or a `fused` elementwise body
 * (several results allowed), as one dispatch over the output shape S with one
 * invocation per element, or per four elements when a result is bool (bool
 * bytes are packed four to a word, and a word must have one writer). Operands
 * broadcast to S by index arithmetic (../shape_exprs.ts); the ops themselves
 * are the rules of ../elementwise_rules.ts.
 */
import type { Node, Value } from '../../../compiler/ir/graph.js';
import { kernelForm, kernelShape } from '../../../compiler/ops/fused.js';
import { tensorBytes } from '../../../compiler/ir/tensor_bytes.js';
import type { DType, Shape } from '../../../compiler/ir/types.js';
import type { Affine } from '../../../compiler/plan/index.js';
import { sameAffine } from '../../../compiler/plan/affine.js';
import { attrsOf } from '../../../compiler/ir/node_attrs.js';
import { OP } from '../../../compiler/ir/op_types.js';
import { ELEMENTWISE_GPU_OPS, elementwiseGpuUnsupported, emitElementwiseStatements, loadAs, storeAs } from '../elementwise_rules.js';
import { affineExpr, broadcastIndex, countAffine, countExpr } from '../shape_exprs.js';
import type { GpuBinding, GpuDispatch, GpuEmitContext, GpuKernelEmitter, Region } from './context.js';
import type { KernelFamily } from './family.js';

const LANES = 64;

/** What one elementwise dispatch computes: `nodes` over S, reading `inputs` (operand i) and returning `outputs` (result k). */
interface Loop {
  shape: Shape;
  inputs: readonly Value[];
  nodes: readonly Node[];
  outputs: readonly Value[];
}

const sameRegion = (a: Region, b: Region): boolean => a.space === b.space && sameAffine(a.offset, b.offset) && sameAffine(a.size, b.size);

/**
 * WebGPU guarantees 8 storage buffers per shader stage; a kernel with more
 * distinct tensors reads and writes them through one window over the arena
 * and one packed copy of its weights instead.
 */
const MAX_STORAGE_BINDINGS = 8;

/** How the shader reaches one operand or result. */
interface Access {
  /** Element `index` (u32 expression) as a register value of the tensor's dtype. */
  load(index: string): string;
  /** Stores an f32 / i32 register value at element `index`. */
  store(index: string, value: string): string;
  /** Stores a whole u32 word (four bools) at word `word`. */
  storeWord(word: string, value: string): string;
}

/** A tensor bound on its own as `binding`. */
function boundAccess(binding: GpuBinding, dtype: DType): Access {
  return {
    load: (index) => loadAs(binding.name, binding.element, dtype, index),
    store: (index, value) => storeAs(binding.name, binding.element, dtype, index, value),
    storeWord: (word, value) => `${binding.name}[${word}] = ${value};`,
  };
}

/** A tensor `offset` words into the u32 array `name`. */
function windowAccess(name: string, offset: string, dtype: DType): Access {
  const at = (index: string): string => (offset === '0u' ? index : `${offset} + ${index}`);
  // A bool load takes a byte index.
  const byteAt = (index: string): string => (offset === '0u' ? index : `${offset} * 4u + ${index}`);
  return {
    load: (index) => loadAs(name, 'u32', dtype, dtype === 'bool' ? byteAt(index) : at(index)),
    store: (index, value) => storeAs(name, 'u32', dtype, at(index), value),
    storeWord: (word, value) => `${name}[${at(word)}] = ${value};`,
  };
}

interface Accesses {
  bindings: GpuBinding[];
  inputs: Access[];
  outputs: Access[];
}

/**
 * One binding per operand and result. A result written in place over an
 * operand of another type (a cast f32 -> i32) shares its binding, so both are
 * declared as u32 words and reinterpreted on load and store.
 */
function separateBindings(ctx: GpuEmitContext, loop: Loop): Accesses {
  const operands = loop.inputs.map((_, i) => ctx.operand(i, `x${i}`));
  const results = loop.outputs.map((_, k) => ctx.result(k, `y${k}`));
  const all = [...operands, ...results];
  const words = all.filter((b) => all.some((c) => c.element !== b.element && sameRegion(c.region, b.region)));
  const asWords = (b: GpuBinding): GpuBinding => (words.includes(b) ? { ...b, element: 'u32' } : b);
  const ins = operands.map(asWords);
  const outs = results.map(asWords);
  return {
    bindings: [...ins, ...outs],
    inputs: ins.map((b, i) => boundAccess(b, loop.inputs[i].type.dtype)),
    outputs: outs.map((b, k) => boundAccess(b, loop.outputs[k].type.dtype)),
  };
}

const wordsOf = (bytes: number): number => bytes / 4;

/** Word offset `offset - start` as a u32 expression (both are multiples of 256 bytes in each coefficient). */
function wordOffset(offset: Affine, start: Affine): string {
  return affineExpr({ base: wordsOf(offset.base - start.base), perBatch: wordsOf(offset.perBatch - start.perBatch) });
}

/**
 * Every arena tensor through one window from the smallest to the largest
 * coefficient of their ranges (so it holds them all for every N), every
 * weight through one derived constant packing them at word boundaries.
 */
function windowBindings(ctx: GpuEmitContext, loop: Loop): Accesses {
  const values = [...loop.inputs, ...loop.outputs];
  const regions = [...ctx.node.inputs, ...ctx.node.outputs].map((v) => ctx.region(v));
  const arena = regions.filter((r) => r.space === 'arena');
  const start = { base: Math.min(...arena.map((r) => r.offset.base)), perBatch: Math.min(...arena.map((r) => r.offset.perBatch)) };
  const end = {
    base: Math.max(...arena.map((r) => r.offset.base + r.size.base)),
    perBatch: Math.max(...arena.map((r) => r.offset.perBatch + r.size.perBatch)),
  };
  const bindings: GpuBinding[] = [{ name: 'arena', element: 'u32', region: { space: 'arena', offset: start, size: { base: end.base - start.base, perBatch: end.perBatch - start.perBatch } } }];
  const packed: { at: number; bytes: Uint8Array }[] = [];
  let packedBytes = 0;
  const accesses = values.map((v, j): Access => {
    const r = regions[j];
    if (r.space === 'arena') return windowAccess('arena', wordOffset(r.offset, start), v.type.dtype);
    const t = ctx.constant(ctx.node.inputs[j]);
    if (!t) throw new Error(`${ctx.label}: operand ${j} is in the weights but is no constant`);
    const bytes = tensorBytes(t);
    packed.push({ at: packedBytes, bytes });
    const access = windowAccess('consts', `${wordsOf(packedBytes)}u`, v.type.dtype);
    packedBytes += Math.ceil(bytes.length / 4) * 4;
    return access;
  });
  if (packed.length > 0) {
    const key = `elementwise-weights:${regions.filter((r) => r.space === 'weights').map((r) => r.offset.base).join(',')}`;
    const region = ctx.constantBytes(key, () => {
      const out = new Uint8Array(packedBytes);
      for (const p of packed) out.set(p.bytes, p.at);
      return out;
    });
    bindings.push({ name: 'consts', element: 'u32', region });
  }
  return { bindings, inputs: accesses.slice(0, loop.inputs.length), outputs: accesses.slice(loop.inputs.length) };
}

function accesses(ctx: GpuEmitContext, loop: Loop): Accesses {
  const regions: Region[] = [];
  for (const v of [...ctx.node.inputs, ...ctx.node.outputs]) {
    const r = ctx.region(v);
    if (!regions.some((k) => sameRegion(k, r))) regions.push(r);
  }
  return regions.length > MAX_STORAGE_BINDINGS ? windowBindings(ctx, loop) : separateBindings(ctx, loop);
}

function elementwiseDispatch(ctx: GpuEmitContext, loop: Loop, label: string): GpuDispatch {
  const { bindings, inputs, outputs } = accesses(ctx, loop);
  const packed = loop.outputs.some((v) => v.type.dtype === 'bool');
  const count = countExpr(loop.shape);
  const env = new Map<number, string>();
  const loads: string[] = [];
  loop.inputs.forEach((v, i) => {
    if (env.has(v.id)) return;
    loads.push(`let v${v.id} = ${inputs[i].load(broadcastIndex(v.type.shape, loop.shape, 'i'))};`);
    env.set(v.id, `v${v.id}`);
  });
  const statements = emitElementwiseStatements(loop.nodes, env);
  const valueOf = (v: Value): string => {
    const expr = env.get(v.id);
    if (expr === undefined) throw new Error(`${label}: result %${v.id} is not computed by the kernel`);
    return expr;
  };
  const stores = loop.outputs.map((v, k) =>
    v.type.dtype === 'bool' ? `w${k} = w${k} | (select(0u, 1u, ${valueOf(v)}) << (8u * j));` : outputs[k].store('i', valueOf(v)),
  );
  const perElement = [...loads, statements, ...stores].filter((s) => s !== '').join('\n');
  let body: string;
  if (!packed) {
    body = `let i = gi;\nif (i < ${count}) {\n${indent(perElement)}\n}`;
  } else {
    const words = loop.outputs.flatMap((v, k) => (v.type.dtype === 'bool' ? [k] : []));
    body = [
      'let first = gi * 4u;',
      `if (first < ${count}) {`,
      ...words.map((k) => `  var w${k} = 0u;`),
      '  for (var j = 0u; j < 4u; j++) {',
      '    let i = first + j;',
      `    if (i < ${count}) {`,
      indent(perElement, 3),
      '    }',
      '  }',
      ...words.map((k) => `  ${outputs[k].storeWord('gi', `w${k}`)}`),
      '}',
    ].join('\n');
  }
  const size = countAffine(loop.shape);
  return {
    label,
    bindings,
    shader: { workgroupSize: [LANES], body },
    grid: [{ base: size.base, perBatch: size.perBatch, per: LANES * (packed ? 4 : 1) }],
  };
}

function indent(text: string, levels = 1): string {
  const pad = '  '.repeat(levels);
  return text
    .split('\n')
    .map((line) => (line === '' ? line : pad + line))
    .join('\n');
}

/** One elementwise op over its (broadcast) operands. */
const plainElementwise: GpuKernelEmitter = {
  unsupported: (node) => elementwiseGpuUnsupported(node),
  emit(ctx) {
    const { node } = ctx;
    const loop = { shape: node.outputs[0].type.shape, inputs: node.inputs, nodes: [node], outputs: node.outputs };
    return [elementwiseDispatch(ctx, loop, ctx.label)];
  },
};

/** A fused elementwise kernel: every body node per element, in one dispatch. */
const fusedElementwise: GpuKernelEmitter = {
  unsupported(node) {
    const body = node.body;
    if (!body) return 'fused node without a body';
    if (kernelForm(body) !== 'elementwise') return 'the fused elementwise kernel got an epilogue body';
    for (const n of body.nodes) {
      const why = elementwiseGpuUnsupported(n);
      if (why) return why;
    }
    return null;
  },
  emit(ctx) {
    const body = ctx.node.body;
    if (!body) throw new Error(`${ctx.label}: fused node without a body`);
    const loop = { shape: kernelShape(body), inputs: body.inputs, nodes: body.nodes, outputs: body.outputs.map((o) => o.value) };
    const { name } = attrsOf(ctx.node, OP.fused);
    return [elementwiseDispatch(ctx, loop, `${ctx.label}(${name})`)];
  },
};

export const ELEMENTWISE_FAMILY: KernelFamily = {
  kernels: Object.fromEntries(ELEMENTWISE_GPU_OPS.map((op) => [op, plainElementwise])),
  fusedElementwise,
};
