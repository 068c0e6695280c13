/**
 * Loads a model from whatever file a user points the CLI at:
 *  - a TypeScript / JavaScript module (.ts, .mts, .js, .mjs) written with the
 *    DSL, imported through tsx; its default export (or the export named by
 *    `modelExport`) must be a traced model;
 *  - a Keras file (.json TF.js layers model, .keras, .h5), through the
 *    Keras importers.
 * Heavy modules (tsx, the DSL, the importers) load only when needed, so the
 * CLI starts fast.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ModelSpec } from '../layers/layer.js';
import { importFresh, localModuleFile } from './fresh_import.js';

/** A model path or module that cannot serve as a model; the message names the file. */
export class ModelSourceError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ModelSourceError';
  }
}

export interface LoadOptions {
  /** Name of the module export holding the model (default: the default export). */
  modelExport?: string;
  /** Called with the path of every local module file (not a package, not tfc's) a .ts/.js model module loads, for watchers. */
  onModuleFile?: (file: string) => void;
}

const MODULE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];
const KERAS_EXTENSIONS = ['.json', '.keras', '.h5', '.hdf5'];

export async function loadModelSource(file: string, options: LoadOptions = {}): Promise<ModelSpec> {
  const info = await stat(file).catch(() => undefined);
  if (!info) throw new ModelSourceError(`model file '${file}' does not exist`);
  if (!info.isFile()) throw new ModelSourceError(`model path '${file}' is not a file`);
  const ext = path.extname(file).toLowerCase();
  if (MODULE_EXTENSIONS.includes(ext)) return loadModule(file, options.modelExport ?? 'default', options.onModuleFile ?? (() => {}));
  if (KERAS_EXTENSIONS.includes(ext)) {
    if (options.modelExport !== undefined) {
      throw new ModelSourceError(`--model selects an export of a .ts/.js model module; '${file}' is a Keras file`);
    }
    const { loadKerasFile } = await import('./keras/index.js');
    return loadKerasFile(file);
  }
  throw new ModelSourceError(
    `cannot tell what kind of model '${file}' is from its extension; use one of ${[...MODULE_EXTENSIONS, ...KERAS_EXTENSIONS].join(', ')}`,
  );
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return `an object with keys {${Object.keys(v).slice(0, 5).join(', ')}}`;
  return `a ${typeof v}`;
}

function oneLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .join(' ');
}

/** Outside an ESM package, tsx compiles .ts/.js as CommonJS, where top-level await fails. */
function moduleTypeHint(e: unknown): string {
  const text = e instanceof Error ? e.message : '';
  return /top-level await/i.test(text)
    ? ' (top-level await needs an ES module: name the file .mts or add "type": "module" to the nearest package.json)'
    : '';
}

/**
 * The module's own exports. A module tsx compiled to CommonJS arrives as a
 * namespace whose `default` is its `exports` object, marked `__esModule`.
 */
function moduleExports(namespace: Record<string, unknown>): Record<string, unknown> {
  const inner = namespace.default;
  if (typeof inner === 'object' && inner !== null && (inner as { __esModule?: unknown }).__esModule === true) {
    return inner as Record<string, unknown>;
  }
  return namespace;
}

async function loadModule(file: string, exportName: string, onModuleFile: (file: string) => void): Promise<ModelSpec> {
  const [esm, cjs, { isTracedModel }] = await Promise.all([
    import('tsx/esm/api'),
    import('tsx/cjs/api'),
    import('./dsl/index.js'),
    // Loaded before tsx's hooks are on: a model that loads weights needs the
    // importer, and its HDF5 dependency (4 MB of JS) takes seconds through the hooks.
    import('./keras/index.js'),
  ]);
  // tsx's global (not namespaced) hooks, so the model's imports of tfc share
  // the module instances already loaded here instead of loading a second copy.
  // Both: outside an ESM package tsx compiles a .ts file as CommonJS.
  const onImport = (url: string): void => {
    const local = localModuleFile(url);
    if (local !== undefined) onModuleFile(local);
  };
  const unregisterEsm = esm.register({ onImport });
  const unregisterCjs = cjs.register();
  let namespace: Record<string, unknown>;
  try {
    // Afresh on every load: an edited model is traced again in a long-lived process.
    namespace = (await importFresh(file, onModuleFile)) as Record<string, unknown>;
  } catch (e) {
    // Errors from the user's module (syntax, a shape error reported by the DSL
    // at the user's line) are the user's to fix: report them as such, in one
    // line, naming the file unless the message already does.
    const message = oneLine(e);
    const where = message.includes(path.basename(file)) ? '' : `${file}: `;
    throw new ModelSourceError(`${where}${message}${moduleTypeHint(e)}`, { cause: e });
  } finally {
    unregisterCjs();
    await unregisterEsm();
  }
  const mod = moduleExports(namespace);
  const names = Object.keys(mod).filter((k) => k !== 'default' || mod.default !== undefined);
  const listed = names.length > 0 ? names.map((n) => `'${n}'`).join(', ') : 'none';
  if (!(exportName in mod) || mod[exportName] === undefined) {
    const fix =
      exportName === 'default'
        ? 'export the model with `export default <model>` or pick an export with --model NAME'
        : 'pick one of its exports with --model NAME';
    const what = exportName === 'default' ? 'no default export' : `no export named '${exportName}'`;
    throw new ModelSourceError(`${file} has ${what}; ${fix} (exports: ${listed})`);
  }
  const value = mod[exportName];
  if (!isTracedModel(value)) {
    throw new ModelSourceError(
      `${file}: export '${exportName}' is not a tfc model (it is ${describeValue(value)}); ` +
        'export the result of sequential(...) or model(...) from tfc-compiler/dsl',
    );
  }
  return value.toSpec();
}
