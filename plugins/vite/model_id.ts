/**
 * How a model import is spelled and named inside the bundler. An app imports
 * `./classifier.model.ts?tfc` (or `model.json?tfc`, `.keras?tfc`, `.h5?tfc`);
 * the plugin resolves it to a virtual module id, `\0tfc:` + the model's
 * absolute path, so that no other plugin (TypeScript, JSON) transforms the
 * generated module as if it were the model file itself.
 */

/** The query parameter that marks an import as a model to compile. */
export const MODEL_QUERY = 'tfc';

const VIRTUAL_PREFIX = '\0tfc:';

/** The model path of an import (`./classifier.model.ts?tfc` → `./classifier.model.ts`), or undefined when it is not a model import. */
export function modelImportPath(source: string): string | undefined {
  const at = source.indexOf('?');
  if (at < 0 || !new URLSearchParams(source.slice(at + 1)).has(MODEL_QUERY)) return undefined;
  return source.slice(0, at);
}

/** The virtual module id of the model at `file` (an absolute path). */
export function modelModuleId(file: string): string {
  return `${VIRTUAL_PREFIX}${file}`;
}

/** The model file a virtual module id names, or undefined for any other id. */
export function modelFileOf(id: string): string | undefined {
  return id.startsWith(VIRTUAL_PREFIX) ? id.slice(VIRTUAL_PREFIX.length) : undefined;
}
