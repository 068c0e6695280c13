// Preloaded into a `tfc` process by output_safety.test.ts (`node --import ./hold_writes.mjs bin/tfc.js ...`)
// to make the moment tfc writes its temporary files observable, so a test can interrupt or fail
// a write deterministically. It wraps fs/promises.writeFile for paths of tfc's temporaries (".tfc-"):
//   TFC_TEST_HOLD=<file>  the first such write prints "tfc-test: holding <path>" on stderr and waits
//                         until <file> exists (the test sends its signal in between);
//   TFC_TEST_FAIL=<name>  a write of a temporary whose file name starts with <name> fails with EIO.
import { existsSync } from 'node:fs';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import path from 'node:path';

const original = fsp.writeFile;
let held = false;

fsp.writeFile = async (file, ...rest) => {
  const name = String(file);
  if (name.includes('.tfc-')) {
    const hold = process.env.TFC_TEST_HOLD;
    if (hold && !held) {
      held = true;
      process.stderr.write(`tfc-test: holding ${name}\n`);
      while (!existsSync(hold)) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const fail = process.env.TFC_TEST_FAIL;
    if (fail && path.basename(name).startsWith(fail)) {
      throw Object.assign(new Error(`EIO: i/o error, write '${name}'`), { code: 'EIO' });
    }
  }
  return original(file, ...rest);
};
syncBuiltinESMExports();
