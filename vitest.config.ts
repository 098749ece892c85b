import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Type tests (`*.test-d.ts`: expectTypeOf and @ts-expect-error lines) run with the others under tsc.
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: 'tsconfig.json' },
    // Checks the Docker engine and the test image once; tests read the answer with inject('dockerAvailable').
    globalSetup: ['test/setup/docker-global-setup.ts'],
    // End-to-end tests start a plugin and real containers: slow on a 2-core CI machine.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
    fileParallelism: true,
    maxWorkers: 2,
  },
});
