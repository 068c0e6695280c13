#!/usr/bin/env node
// The `tfc` executable: runs the compiled CLI from dist/ (built by `npm run build`).
try {
  await import('../dist/driver/cli/main.js');
} catch (e) {
  if (e?.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('cli/main.js')) {
    process.stderr.write('tfc: error: the compiler is not built; run `npm run build` in the tfc repository first\n');
    process.exitCode = 1;
  } else {
    throw e;
  }
}
