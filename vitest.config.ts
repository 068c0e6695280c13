import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The built packages load as Node loads any installed package, not through
    // vite-node, so their own dynamic imports (a DSL model module through tsx) are Node's.
    server: { deps: { external: [/\/packages\/[^/]+\/dist\//] } },
  },
});
