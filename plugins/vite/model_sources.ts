/**
 * Which files each model was read from, so that a change to any of them (the
 * model module, a weight shard, a module the DSL model imports) reaches the
 * models that read it.
 */
export class ModelSources {
  private readonly byModel = new Map<string, ReadonlySet<string>>();

  /** Records the files `model` was read from. */
  set(model: string, sources: Iterable<string>): void {
    this.byModel.set(model, new Set(sources));
  }

  /** The files `model` was last read from (none before its first compile). */
  of(model: string): readonly string[] {
    return [...(this.byModel.get(model) ?? [])];
  }

  /** The models that were read from `file`. */
  modelsReading(file: string): string[] {
    return [...this.byModel].filter(([, sources]) => sources.has(file)).map(([model]) => model);
  }
}
