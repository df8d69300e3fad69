import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Files and the tests in each file run in a random order, so a test that leans on another fails.
    // Vitest prints the seed; `npx vitest run --sequence.seed=<n>` replays that order. (Vitest takes
    // the order from this root setting for every project.)
    sequence: { shuffle: true },
    projects: [
      {
        test: {
          name: 'node',
          include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'],
          globalSetup: ['tests/setup/postgres.global.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/e2e/server.global.ts'],
          // One browser and one server for the whole suite: files run one after another.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
