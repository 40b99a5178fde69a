import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Three tiers (docs/architecture.md): unit tests next to the code, integration tests against the real app and
// real Postgres, browser tests against the built app in Chromium.
export default defineConfig({
  test: {
    env: { TZ: 'UTC' },
    projects: [
      {
        // The web app's aliases (web/svelte.config.js), for its unit tests that import from core/ and lib/.
        resolve: {
          alias: {
            $core: fileURLToPath(new URL('./core', import.meta.url)),
            $lib: fileURLToPath(new URL('./web/src/lib', import.meta.url)),
          },
        },
        test: {
          name: 'unit',
          include: [
            'core/**/*.test.ts',
            'db/**/*.test.ts',
            'ingest/**/*.test.ts',
            'realtime/**/*.test.ts',
            'scheduler/**/*.test.ts',
            'services/**/*.test.ts',
            'scripts/**/*.test.ts',
            'web/src/**/*.test.ts',
          ],
          env: { TZ: 'UTC' },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          env: { TZ: 'UTC' },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          env: { TZ: 'UTC' },
        },
      },
    ],
  },
});
