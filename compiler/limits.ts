/**
 * The one place for the compiler's numeric limits. Every size a file declares
 * (shapes, byte counts, a batch) is checked against these before anything is
 * allocated; crossing one throws LimitError, a user error with one line that
 * names the limit and what to do. The runtime keeps its own (runtime/limits.ts);
 * the shared ones are re-exported from there so each number has one definition.
 */
export { LimitError, formatBytes, MAX_RANK, MAX_TENSOR_ELEMENTS, WASM_MEMORY_LIMIT_BYTES, WASM_PAGE_BYTES } from '../runtime/limits.js';

/** Node's fs.readFile refuses files over 2 GiB, and a model file that large cannot fit next to its activations in wasm32 anyway. */
export const MAX_FILE_BYTES = 2 * 1024 ** 3;

/** All of a model's weights together: they share the 4 GiB wasm32 memory with activations, so more than half of it is not a workable model. */
export const MAX_WEIGHT_BYTES = 2 * 1024 ** 3;

/** What the interpreter (`tfc run`) may allocate for one run's activations: the same budget as the wasm runtime, so a batch that runs in one runs in the other. */
export const INTERPRETER_MEMORY_LIMIT_BYTES = 4 * 1024 ** 3;

/** A JSON file tfc reads (model.json, a .keras archive's config.json / metadata.json): real ones are kilobytes to a few MiB. */
export const MAX_JSON_BYTES = 64 * 1024 ** 2;

/** The largest WebGPU arena a build accepts: the biggest maxBufferSize adapters report today is about 4 GiB, so a larger one could never be allocated. */
export const WEBGPU_ARENA_LIMIT_BYTES = 4 * 1024 ** 3;
