/**
 * Turns a model path into a ModelBundle: from the disk cache when the files
 * the model was last read from are unchanged, otherwise by tfc-compiler's
 * compile(). The compiler is imported only when a model needs compiling
 * (loading it takes seconds), so a build served from the cache never loads
 * it. Compiles run one at a time (a DSL module is imported through
 * process-wide loader hooks), and concurrent requests for one model share
 * one compile.
 */
import { performance } from 'node:perf_hooks';
import type { TargetName } from 'tfc-compiler';
import type { BundleCache } from './bundle_cache.js';
import { compilerIdentity } from './compiler_identity.js';
import { toModelBundle, type ModelBundle } from './model_bundle.js';
import { contentHash, digestFiles, keyHash, type CompileKey } from './sources.js';

export interface ModelCompilerOptions {
  targets: readonly TargetName[];
  /** Where compiled models are kept between runs; none when undefined. */
  cache?: BundleCache;
}

export interface CompileOutcome {
  bundle: ModelBundle;
  /** True when the bundle came from the disk cache: the compiler did not run. */
  cached: boolean;
  /** Seconds the compile took (0 from the cache). */
  seconds: number;
}

export class ModelCompiler {
  private readonly identity = compilerIdentity();
  private readonly inFlight = new Map<string, Promise<CompileOutcome>>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ModelCompilerOptions) {}

  /** The compiled model at `model` (an absolute path). */
  bundle(model: string): Promise<CompileOutcome> {
    const shared = this.inFlight.get(model);
    if (shared) return shared;
    const pending: Promise<CompileOutcome> = this.lookUpOrCompile(model).finally(() => {
      if (this.inFlight.get(model) === pending) this.inFlight.delete(model);
    });
    this.inFlight.set(model, pending);
    return pending;
  }

  /** A file of `model` changed: a request from now on compiles afresh instead of sharing a compile that read the old bytes. */
  forget(model: string): void {
    this.inFlight.delete(model);
  }

  private async lookUpOrCompile(model: string): Promise<CompileOutcome> {
    const key: CompileKey = { compiler: await this.identity, options: JSON.stringify({ targets: this.options.targets }), model };
    const cached = await this.fromCache(key);
    if (cached) return { bundle: cached, cached: true, seconds: 0 };
    const run = this.queue.then(() => this.compileNow(key));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async fromCache(key: CompileKey): Promise<ModelBundle | undefined> {
    const { cache } = this.options;
    const sources = await cache?.lastSources(keyHash(key));
    if (!cache || !sources) return undefined;
    const digests = await digestFiles(sources);
    return digests && (await cache.read(contentHash(key, digests)));
  }

  private async compileNow(key: CompileKey): Promise<CompileOutcome> {
    const before = await digestFiles([key.model]);
    const start = performance.now();
    const { compile } = await import('tfc-compiler');
    const compiled = await compile(key.model, { targets: [...this.options.targets], runtime: 'package' });
    const seconds = (performance.now() - start) / 1000;
    const digests = await digestFiles(compiled.sources);
    const bundle = toModelBundle(compiled, contentHash(key, digests ?? new Map()));
    // A model edited while it compiled is not cached: its bytes now are not the ones compiled.
    const unchanged = digests !== undefined && before !== undefined && digests.get(key.model) === before.get(key.model);
    if (this.options.cache && unchanged) await this.options.cache.write(keyHash(key), bundle);
    return { bundle, cached: false, seconds };
  }
}
