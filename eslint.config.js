// Lint: the recommended JavaScript and type-aware TypeScript rules, plus the few habits docs/design.md ("Code habits") asks for.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'build/', 'data/', 'coverage/', 'test-results/', 'views/assets/vendor/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error', 'warn'] }],
      eqeqeq: ['error', 'smart'],
      // One injectable clock (server/platform/clock.ts): nothing reads the wall clock directly, so tests and
      // seeds can fix "now". Elapsed time uses performance.now().
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'Use clock.ms() from server/platform/clock.ts (or performance.now() for elapsed time).' },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Use clock.now() from server/platform/clock.ts.' },
        { selector: "CallExpression[callee.object.name='DateTime'][callee.property.name=/^(now|local)$/][arguments.length=0]", message: "Use DateTime.fromJSDate(clock.now(), { zone: ZONE }) (server/platform/clock.ts, time.ts)." },
      ],
    },
  },
  {
    files: ['server/cli.ts', 'seeds/**/*.ts', 'test/bench/**/*.ts', 'server/platform/db/build-launcher.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['views/assets/**/*.js'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', fetch: 'readonly', URL: 'readonly', URLSearchParams: 'readonly', AbortController: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', HTMLElement: 'readonly', Element: 'readonly', history: 'readonly', FormData: 'readonly' } },
  },
);
