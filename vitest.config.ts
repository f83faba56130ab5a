import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Sandboxed commands and git are CPU-bound; two cores do not profit from many workers.
    maxWorkers: 2,
  },
});
