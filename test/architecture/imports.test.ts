/**
 * The dependency rules of docs/ARCHITECTURE.md, checked on every TypeScript file's imports
 * (static, dynamic and type-only): the layering runtime < compiler < targets < driver < plugins,
 * a dependency-free runtime, declared npm dependencies, and no import cycles. A small fake
 * repository with one violation of each kind shows that each check catches what it is for.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importGraph, listSourceFiles, type ImportEdge } from './import_graph.js';
import { importCycles, layerViolations, runtimeViolations, undeclaredDependencies } from './rules.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('the repository', () => {
  let edges: ImportEdge[];
  beforeAll(() => {
    edges = importGraph(ROOT);
  });

  it('is scanned: every product folder and every relative import resolves to a file', () => {
    const files = listSourceFiles(ROOT);
    for (const folder of ['compiler/', 'targets/', 'runtime/', 'driver/', 'test/']) expect(files.some((f) => f.startsWith(folder))).toBe(true);
    const unresolved = edges.filter((e) => e.specifier?.startsWith('.') && e.target === null).map((e) => `${e.from}:${e.line} '${e.specifier}'`);
    expect(unresolved).toEqual([]);
  });

  it('keeps the layers: compiler/ never imports targets/, driver/ or plugins/; targets/ never driver/ or plugins/', () => {
    expect(layerViolations(edges)).toEqual([]);
  });

  it('keeps the runtime dependency-free: its own files, and node: built-ins only dynamically', () => {
    expect(runtimeViolations(edges)).toEqual([]);
  });

  it('declares every package the product code imports in the npm package that ships it', () => {
    expect(undeclaredDependencies(ROOT, edges)).toEqual([]);
  });

  it('has no import cycles between files', () => {
    expect(importCycles(edges)).toEqual([]);
  });
});

describe('the checks', () => {
  let root: string;
  let edges: ImportEdge[];
  const files: Record<string, string> = {
    'compiler/a.ts': "import { b } from '../targets/b.js';\nexport const a = b;\n",
    'compiler/t.ts': "import type { D } from '../driver/d.js';\nexport type T = D;\n",
    'targets/b.ts': "export const b = 1;\nexport const late = () => import('../driver/d.js');\n",
    'runtime/r.ts': "import { readFile } from 'node:fs/promises';\nimport { zip } from 'fflate';\nexport const io = () => [import('node:path'), import('../compiler/a.js')];\nexport { readFile, zip };\n",
    'driver/d.ts': "import '../test/helper.js';\nimport { zip } from 'fflate';\nimport pad from 'left-pad';\nexport interface D { pad: typeof pad; zip: typeof zip }\n",
    'driver/x.ts': "import { y } from './y.js';\nexport const x = () => y;\n",
    'driver/y.ts': "import { x } from './x.js';\nexport const y = () => x;\n",
    'driver/p.ts': "import type { Q } from './q.js';\nexport interface P { q?: Q }\n",
    'driver/q.ts': "import { type P } from './p.js';\nexport interface Q { p?: P }\n",
    'test/helper.ts': 'export {};\n',
    'examples/app/main.ts': "import classifier from './classifier.model.ts?tfc';\nexport default classifier;\n",
    'examples/app/classifier.model.ts': 'export default 1;\n',
    'packages/compiler/package.json': JSON.stringify({ name: 'tfc-compiler', dependencies: { fflate: '*' } }),
  };

  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'tfc-architecture-'));
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), text);
    }
    edges = importGraph(root);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reads static, type-only and dynamic imports, and resolves a bundler query to its file', () => {
    const of = (file: string) => edges.filter((e) => e.from === file).map((e) => [e.specifier, e.kind, e.typeOnly]);
    expect(of('compiler/t.ts')).toEqual([['../driver/d.js', 'static', true]]);
    expect(of('driver/q.ts')).toEqual([['./p.js', 'static', true]]);
    expect(of('targets/b.ts')).toEqual([['../driver/d.js', 'dynamic', false]]);
    expect(edges.find((e) => e.from === 'examples/app/main.ts')?.target).toBe('examples/app/classifier.model.ts');
  });

  it('finds each layering violation, type-only and dynamic ones included', () => {
    expect(layerViolations(edges)).toEqual([
      'compiler/a.ts:1 imports targets/b.ts: compiler/ may import only runtime/, compiler/',
      'compiler/t.ts:1 imports driver/d.ts (type-only): compiler/ may import only runtime/, compiler/',
      'driver/d.ts:1 imports test/helper.ts: product code must not import test/',
      'runtime/r.ts:3 imports compiler/a.ts (dynamic): runtime/ may import only runtime/',
      'targets/b.ts:2 imports driver/d.ts (dynamic): targets/ may import only runtime/, compiler/, targets/',
    ]);
  });

  it('finds a static built-in, a package and a compiler file in the runtime, and allows a dynamic node: import', () => {
    const rule = 'runtime/ imports only its own files, and node: built-ins only with a dynamic import()';
    expect(runtimeViolations(edges)).toEqual([
      `runtime/r.ts:1 imports node:fs/promises: ${rule}`,
      `runtime/r.ts:2 imports fflate: ${rule}`,
      `runtime/r.ts:3 imports compiler/a.ts (dynamic): ${rule}`,
    ]);
  });

  it('finds an undeclared package, and a layer whose package.json is missing', () => {
    expect(undeclaredDependencies(root, edges)).toEqual([
      "driver/d.ts:3 imports left-pad: 'left-pad' is not in packages/compiler/package.json's dependencies or peerDependencies",
      'runtime/r.ts:2 imports fflate: packages/runtime/package.json, which ships runtime/, does not exist',
    ]);
  });

  it('finds a value cycle as a file chain and ignores a type-only one', () => {
    expect(importCycles(edges)).toEqual(['driver/x.ts -> driver/y.ts -> driver/x.ts']);
  });
});
