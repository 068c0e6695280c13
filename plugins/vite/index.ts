/**
 * vite-plugin-tfc: `import classifier from './classifier.model.ts?tfc'` (also
 * `model.json?tfc`, `.keras?tfc`, `.h5?tfc`) compiles the model with tfc at
 * build time and gives the app a module to load and run it (model_module.ts).
 *
 * - build (Vite or plain Rollup): each model compiles once and its files
 *   (manifest.json, .wasm, .wgsl, weights) are emitted as hashed assets,
 *   referenced with `import.meta.ROLLUP_FILE_URL_<ref>`;
 * - dev server: a model compiles on its first request, its files are served
 *   from memory (dev_files.ts), and a change to any file it was read from
 *   recompiles it and reloads the page;
 * - compiled models are cached on disk by content hash (bundle_cache.ts,
 *   sources.ts), so an unchanged model does not compile again;
 * - a compile error is reported at the user's file:line:col (errors.ts),
 *   which Vite's overlay shows.
 */
import path from 'node:path';
import type { Plugin, ResolvedConfig } from 'vite';
import { BundleCache } from './bundle_cache.js';
import { DevFiles } from './dev_files.js';
import { locatedError } from './errors.js';
import { modelFileOf, modelImportPath, modelModuleId } from './model_id.js';
import type { TargetName } from 'tfc-compiler';
import { ModelCompiler, type CompileOutcome } from './model_compiler.js';
import { modelModuleCode } from './model_module.js';
import { ModelSources } from './model_sources.js';

export type { TfcModel } from './model_module.js';
export type { TargetName } from 'tfc-compiler';

export interface TfcPluginOptions {
  /** The targets every model is compiled for (default both: the runtime takes WebGPU where an adapter exists, else WebAssembly). */
  targets?: readonly TargetName[];
  /**
   * Where compiled models are kept between builds (default: `tfc` in Vite's
   * cacheDir, i.e. node_modules/.vite/tfc; with plain Rollup
   * node_modules/.cache/vite-plugin-tfc in the working directory); false: no disk cache.
   */
  cacheDir?: string | false;
}

/** An asset name made of the model's name and the bundle file's, with nothing a file name should not hold. */
const assetName = (model: string, file: string): string => `${model}.${file}`.replace(/[^A-Za-z0-9_.-]/g, '_');

export default function tfc(options: TfcPluginOptions = {}): Plugin {
  const targets = options.targets ?? ['wasm', 'webgpu'];
  const sources = new ModelSources();
  let config: ResolvedConfig | undefined;
  let devFiles: DevFiles | undefined;
  let compiler: ModelCompiler | undefined;

  const cacheDir = (): string | false => {
    if (options.cacheDir === false) return false;
    if (options.cacheDir !== undefined) return path.resolve(config?.root ?? process.cwd(), options.cacheDir);
    return config ? path.join(config.cacheDir, 'tfc') : path.resolve('node_modules/.cache/vite-plugin-tfc');
  };
  // Created at the first model, once Vite's config (its cacheDir) is known.
  const modelCompiler = (): ModelCompiler => {
    const dir = cacheDir();
    compiler ??= new ModelCompiler({ targets, cache: dir === false ? undefined : new BundleCache(dir) });
    return compiler;
  };
  const shown = (file: string): string => path.relative(config?.root ?? process.cwd(), file) || file;
  const report = (model: string, { cached, seconds }: CompileOutcome): string =>
    cached ? `tfc: ${shown(model)} is unchanged: compiled model from the cache` : `tfc: compiled ${shown(model)} (${targets.join(', ')}) in ${seconds.toFixed(1)} s`;

  return {
    name: 'tfc',
    enforce: 'pre',

    configResolved(resolved) {
      config = resolved;
    },

    configureServer(server) {
      devFiles = new DevFiles(server.config.base);
      server.middlewares.use(devFiles.middleware);
    },

    async resolveId(source, importer) {
      const request = modelImportPath(source);
      if (request === undefined) return null;
      const resolved = await this.resolve(request, importer, { skipSelf: true });
      if (!resolved || resolved.external) this.error(`tfc: cannot find the model '${request}'${importer ? ` imported by ${importer}` : ''}`);
      return modelModuleId(path.resolve(resolved.id));
    },

    async load(id) {
      const model = modelFileOf(id);
      if (model === undefined) return null;
      let outcome: CompileOutcome;
      try {
        outcome = await modelCompiler().bundle(model);
      } catch (e) {
        // Loaded already when compile() threw; imported here so that a cached build never loads the compiler.
        const { CompileError } = await import('tfc-compiler');
        if (!(e instanceof CompileError)) throw e;
        // Keep watching what the model was read from, so fixing any of it compiles again.
        const watched = [...new Set([...sources.of(model), model, e.file])];
        sources.set(model, watched);
        for (const file of watched) this.addWatchFile(file);
        this.error(locatedError(e, watched));
      }
      const { bundle } = outcome;
      sources.set(model, bundle.sources);
      for (const file of bundle.sources) this.addWatchFile(file);
      if (config) config.logger.info(report(model, outcome), { timestamp: devFiles !== undefined });
      else this.info(report(model, outcome));
      if (devFiles) {
        const files = devFiles;
        files.add(model, bundle);
        // A path on the dev server, resolved against the page. (Not `new URL('<literal>', import.meta.url)`: Vite rewrites that form as an asset import.)
        return modelModuleCode(bundle, (name) => JSON.stringify(files.url(bundle, name)));
      }
      const refs = new Map<string, string>();
      for (const [name, bytes] of bundle.files) refs.set(name, this.emitFile({ type: 'asset', name: assetName(bundle.name, name), source: bytes }));
      return modelModuleCode(bundle, (name) => `import.meta.ROLLUP_FILE_URL_${refs.get(name)}`);
    },

    hotUpdate({ file }) {
      const models = sources.modelsReading(file);
      if (models.length === 0) return;
      const graph = this.environment.moduleGraph;
      for (const model of models) {
        compiler?.forget(model);
        const node = graph.getModuleById(modelModuleId(model));
        if (node) graph.invalidateModule(node);
      }
      config?.logger.info(`tfc: ${shown(file)} changed: recompiling ${models.map(shown).join(', ')}`, { timestamp: true });
      this.environment.hot.send({ type: 'full-reload' });
      return [];
    },
  };
}
