// prepack of each package: the repository's LICENSE goes into the tarball (the copy is git-ignored).
import { copyFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

copyFileSync(fileURLToPath(new URL('../LICENSE', import.meta.url)), `${process.cwd()}/LICENSE`);
