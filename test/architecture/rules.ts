/**
 * tfc's dependency rules over the import graph (docs/ARCHITECTURE.md): the product layers
 * stack runtime < compiler < targets < driver < plugins, each importing only its own layer and
 * those below; the runtime imports nothing but its own files and, dynamically, Node built-ins;
 * product code never imports tests, examples, benchmarks or scripts, and every package it
 * imports is declared by the npm package it ships in. Type-only imports count: a compiler
 * `.d.ts` naming a driver type would depend on the driver just the same.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { topFolder, type ImportEdge } from './import_graph.js';
import { cyclicComponents, cycleChain } from './cycles.js';

/** Product layers, bottom first. */
export const LAYERS = ['runtime', 'compiler', 'targets', 'driver', 'plugins'] as const;
type Layer = (typeof LAYERS)[number];

/** The npm package each layer's compiled code ships in. */
const PACKAGE_DIR: Record<Layer, string> = {
  runtime: 'packages/runtime',
  compiler: 'packages/compiler',
  targets: 'packages/compiler',
  driver: 'packages/compiler',
  plugins: 'packages/vite-plugin',
};

function layerOf(file: string): Layer | null {
  const folder = topFolder(file);
  return (LAYERS as readonly string[]).includes(folder) ? (folder as Layer) : null;
}

function where(e: ImportEdge): string {
  return `${e.from}:${e.line} imports ${e.target ?? e.specifier ?? 'a computed path'}${e.typeOnly ? ' (type-only)' : ''}${e.kind === 'dynamic' ? ' (dynamic)' : ''}`;
}

/** The npm package a bare specifier names: `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Layering: a product file imports only its own layer and those below it, never tests, examples, benchmarks or scripts. */
export function layerViolations(edges: readonly ImportEdge[]): string[] {
  const found: string[] = [];
  for (const e of edges) {
    const from = layerOf(e.from);
    if (from === null || e.target === null) continue;
    const to = layerOf(e.target);
    const allowed = LAYERS.slice(0, LAYERS.indexOf(from) + 1);
    if (to === null) found.push(`${where(e)}: product code must not import ${topFolder(e.target)}/`);
    else if (!allowed.includes(to)) found.push(`${where(e)}: ${from}/ may import only ${allowed.map((l) => `${l}/`).join(', ')}`);
  }
  return found;
}

/** The runtime is dependency-free and loads in browsers: its own files statically, Node built-ins only dynamically. */
export function runtimeViolations(edges: readonly ImportEdge[]): string[] {
  const found: string[] = [];
  for (const e of edges) {
    if (layerOf(e.from) !== 'runtime') continue;
    const own = e.target !== null && layerOf(e.target) === 'runtime';
    const nodeBuiltin = e.specifier !== null && e.specifier.startsWith('node:') && isBuiltin(e.specifier);
    if (own || (e.kind === 'dynamic' && nodeBuiltin)) continue;
    found.push(`${where(e)}: runtime/ imports only its own files, and node: built-ins only with a dynamic import()`);
  }
  return found;
}

function declaredPackages(root: string, packageDir: string): Set<string> | null {
  const file = path.join(root, packageDir, 'package.json');
  if (!existsSync(file)) return null;
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, string> | undefined>;
  return new Set(['dependencies', 'peerDependencies', 'optionalDependencies'].flatMap((k) => Object.keys(pkg[k] ?? {})));
}

/** Every package a product file imports is declared by the npm package it ships in, or installing that package breaks it. */
export function undeclaredDependencies(root: string, edges: readonly ImportEdge[]): string[] {
  const found: string[] = [];
  const declared = new Map<string, Set<string> | null>();
  for (const e of edges) {
    const layer = layerOf(e.from);
    if (layer === null || e.specifier === null || e.specifier.startsWith('.') || isBuiltin(e.specifier)) continue;
    const dir = PACKAGE_DIR[layer];
    if (!declared.has(dir)) declared.set(dir, declaredPackages(root, dir));
    const deps = declared.get(dir)!;
    const name = packageName(e.specifier);
    if (deps === null) found.push(`${where(e)}: ${dir}/package.json, which ships ${layer}/, does not exist`);
    else if (!deps.has(name)) found.push(`${where(e)}: '${name}' is not in ${dir}/package.json's dependencies or peerDependencies`);
  }
  return found;
}

/**
 * Import cycles between files, each as a file chain. Only imports that exist at run time count:
 * static value imports and dynamic ones. Type-only imports are erased by TypeScript, so they
 * cannot cause the partly-initialized-module errors a cycle does (two files whose types name
 * each other, like a node and its graph, are fine).
 */
export function importCycles(edges: readonly ImportEdge[]): string[] {
  const graph = new Map<string, Set<string>>();
  for (const e of edges) {
    if (e.target === null || e.typeOnly) continue;
    if (!graph.has(e.from)) graph.set(e.from, new Set());
    graph.get(e.from)!.add(e.target);
  }
  return cyclicComponents(graph).map((component) => cycleChain(graph, component).join(' -> '));
}
