// ESLint over the whole tree, web/ included (`npm run lint`; `npm run check` runs it with the type checks).
// Formatting is Prettier's (.prettierrc.json); nothing here is about layout.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import local from './eslint-rules/index.js';
import svelteConfig from './web/svelte.config.js';

const root = import.meta.dirname;

/** Server-side product code: everything but web/, the tests and the benches. */
const SERVER = ['core/**', 'db/**', 'services/**', 'ingest/**', 'realtime/**', 'scheduler/**', 'scripts/**', '*.ts'];
const TESTS = ['**/*.test.ts', 'test/**'];

// Only env.ts reads process.env (docs/architecture.md#principles): configuration is validated in one place.
const processEnv = "MemberExpression[object.name='process'][property.name='env']";
const envReads = [
  { selector: processEnv, message: 'Only env.ts reads process.env: add the variable to env.ts and take it from there.' },
  {
    selector: "ImportDeclaration[source.value=/^(node:)?process$/] > ImportSpecifier[imported.name='env']",
    message: 'Only env.ts reads process.env.',
  },
  {
    selector: "VariableDeclarator[init.name='process'] > ObjectPattern > Property[key.name='env']",
    message: 'Only env.ts reads process.env.',
  },
];
// Tests start child processes with the environment they run in plus their own variables (`{ ...process.env, PORT }`):
// forwarding it is allowed, reading a variable is not (test settings are in env.ts too: testPrerequisiteEnv, testRunEnv).
const testEnvReads = [{ ...envReads[0], selector: `${processEnv}:not(SpreadElement > ${processEnv})` }, ...envReads.slice(1)];
// The clock comes from core/clock.ts (an injected Clock), so tests pin time. Elapsed time (deadlines, rate limits)
// is `performance.now()`, which no wall-clock change can move.
const clockReads = [
  {
    selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
    message: 'Take the time from the injected Clock (core/clock.ts), or performance.now() for elapsed time.',
  },
  {
    selector: "NewExpression[callee.name='Date'][arguments.length=0]",
    message: 'Take the time from the injected Clock (core/clock.ts): clock.now().',
  },
];

export default defineConfig(
  {
    ignores: ['node_modules/', 'data/', '.data-test/', 'test-results/', 'coverage/', 'web/build/', 'web/.svelte-kit/', '.svelte-kit/'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  svelte.configs.recommended,
  svelte.configs.prettier,
  {
    languageOptions: {
      ecmaVersion: 'latest',
      sourceType: 'module',
      globals: { ...globals.node },
      parserOptions: {
        // Type information for no-floating-promises: each file is checked in the tsconfig.json nearest to it
        // (the root one, web/tsconfig.json, test/e2e/tsconfig.json).
        projectService: true,
        tsconfigRootDir: root,
        extraFileExtensions: ['.svelte'],
      },
    },
    plugins: { local },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'local/layers': ['error', { root }],
      'local/no-cycle': ['error', { root }],
      'local/no-banner-comments': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-restricted-syntax': ['error', ...envReads],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      globals: { ...globals.browser },
      parserOptions: { parser: tseslint.parser, svelteConfig },
    },
    rules: {
      // The app is always served at / (no kit.paths.base; Express mounts SvelteKit at the root), so wrapping every
      // link and goto() in resolve() would change no URL.
      'svelte/no-navigation-without-resolve': 'off',
    },
  },
  {
    files: ['web/src/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  { files: SERVER, ignores: [...TESTS, 'core/clock.ts'], rules: { 'no-restricted-syntax': ['error', ...envReads, ...clockReads] } },
  { files: ['env.ts'], rules: { 'no-restricted-syntax': 'off' } },
  {
    files: TESTS,
    rules: {
      'no-restricted-syntax': ['error', ...testEnvReads],
      // Tests read JSON bodies whose shape is what they assert (`body as any[]`, `res.body.error.code`).
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  // Plain JavaScript (this file, eslint-rules/, web/svelte.config.js, the bench workers) has no type information.
  { files: ['**/*.js', '**/*.mjs'], extends: [tseslint.configs.disableTypeChecked] },
);
