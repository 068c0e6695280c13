// `require('tfc-compiler')` from CommonJS: the compiler is published as ES modules only.
throw new Error(
  "tfc-compiler is ESM-only: load it with `import { compile } from 'tfc-compiler'` (or `await import('tfc-compiler')` from CommonJS). " +
    "To run a compiled bundle from CommonJS, use the runtime package tfc-runtime, which has a CommonJS build.",
);
