import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // the CLI tests spawn bin/fir; two workers match the two cores of our machines
    maxWorkers: 2,
  },
});
