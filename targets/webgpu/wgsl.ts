/**
 * The one place WGSL modules are assembled. A kernel emitter supplies the
 * bindings, module-scope declarations and the statements of `main`; this
 * file adds the uniform, the storage declarations and the entry point:
 *
 *   struct Params { n: u32, t: u32 }
 *   @group(0) @binding(0) var<uniform> P: Params;          // batch N, loop step t
 *   @group(0) @binding(1) var<storage, read_write> x: array<f32>;   // arena
 *   @group(0) @binding(2) var<storage, read> w: array<f32>;         // weights
 *   ...declarations
 *   @compute @workgroup_size(64)
 *   fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
 *           @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) lix: u32) {
 *     let wg = wid.x + wid.y * nwg.x;   // linear workgroup index (1-axis grids fold into x, y)
 *     let gi = wg * 64u + lix;          // linear invocation index, for one-axis grids
 *     ...body
 *   }
 *
 * Every arena binding is read_write: a dispatch binds several ranges of the one
 * arena buffer, and WebGPU forbids mixing read-only and writable usages of a
 * buffer within a dispatch. Two bindings of the same range (x * x, a result
 * written in place over its operand) become one binding, since writable
 * bindings may not overlap; the body's uses of the second name are renamed.
 */
import { sameAffine } from '../../compiler/plan/affine.js';
import type { GpuBinding, GpuDispatch, Region } from './kernels/context.js';

export type BindingKind = 'storage' | 'read-only-storage';

export interface AssembledShader {
  code: string;
  /** Kinds of bindings 1.. (binding 0 is the uniform). */
  kinds: BindingKind[];
  /** The range each of bindings 1.. binds. */
  regions: Region[];
}

function sameRegion(a: Region, b: Region): boolean {
  return a.space === b.space && sameAffine(a.offset, b.offset) && sameAffine(a.size, b.size);
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED = new Set(['P', 'Params', 'main', 'wid', 'nwg', 'lid', 'lix', 'wg', 'gi']);

/** Merges bindings of the same range; returns the kept bindings and the renames of dropped names. */
function mergeBindings(bindings: GpuBinding[], label: string): { kept: GpuBinding[]; renames: Map<string, string> } {
  const kept: GpuBinding[] = [];
  const renames = new Map<string, string>();
  const names = new Set<string>();
  for (const b of bindings) {
    if (!IDENT.test(b.name) || RESERVED.has(b.name) || names.has(b.name)) {
      throw new Error(`${label}: binding name '${b.name}' is not a fresh WGSL identifier`);
    }
    names.add(b.name);
    const same = kept.find((k) => sameRegion(k.region, b.region));
    if (!same) {
      kept.push(b);
      continue;
    }
    if (same.element !== b.element) throw new Error(`${label}: '${b.name}' and '${same.name}' bind the same bytes as ${b.element} and ${same.element}`);
    renames.set(b.name, same.name);
  }
  return { kept, renames };
}

function renameIdentifiers(text: string, renames: Map<string, string>): string {
  let out = text;
  for (const [from, to] of renames) out = out.replace(new RegExp(`\\b${from}\\b`, 'g'), to);
  return out;
}

export function assembleShader(d: GpuDispatch): AssembledShader {
  const { kept, renames } = mergeBindings(d.bindings, d.label);
  const size = d.shader.workgroupSize;
  const lanes = size.reduce((a, b) => a * b, 1);
  if (lanes > 256) throw new Error(`${d.label}: workgroup of ${lanes} invocations (at most 256)`);
  const decls = kept.map((b, i) => {
    const access = b.region.space === 'arena' ? 'read_write' : 'read';
    return `@group(0) @binding(${i + 1}) var<storage, ${access}> ${b.name}: array<${b.element}>;`;
  });
  const code = [
    'struct Params { n: u32, t: u32 }',
    '@group(0) @binding(0) var<uniform> P: Params;',
    ...decls,
    ...(d.shader.declarations ?? []).map((s) => renameIdentifiers(s, renames)),
    `@compute @workgroup_size(${size.join(', ')})`,
    'fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) lix: u32) {',
    '  let wg = wid.x + wid.y * nwg.x;',
    `  let gi = wg * ${lanes}u + lix;`,
    ...renameIdentifiers(d.shader.body, renames)
      .split('\n')
      .map((line) => (line.trim() === '' ? '' : `  ${line}`)),
    '}',
    '',
  ].join('\n');
  return {
    code,
    kinds: kept.map((b) => (b.region.space === 'arena' ? 'storage' : 'read-only-storage')),
    regions: kept.map((b) => b.region),
  };
}
