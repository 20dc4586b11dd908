// ESLint (typescript-eslint, type-aware) for server/, client/, test/ and scripts/; formatting is Prettier's
// (eslint-config-prettier turns off the rules that would fight it). `npm run lint` runs both; npm test runs it.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/**
 * Outside the engine, a stage is reached only through its index.ts: `engine/absint`, never
 * `engine/absint/transfer`.
 */
const noDeepEngineImports = {
  patterns: [
    {
      group: ['**/engine/*/*', '!**/engine/*/index'],
      message: 'import an engine stage through its index.ts (e.g. "../engine/absint"), or the engine itself',
    },
  ],
};
/** Inside the engine, another stage is reached only through its index.ts. */
const noDeepStageImports = {
  patterns: [
    {
      group: ['../*/*', './*/*', '!../*/index', '!./*/index'],
      message: 'import another stage through its index.ts (e.g. "../ir")',
    },
  ],
};

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      '**/out/**',
      'node_modules/**',
      'grammars/**',
      'test/fixtures/**',
      'test/trees/**',
      'examples/**',
      '**/*.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off',
      'no-undef': 'off', // TypeScript checks names itself
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: false, skipComments: false }],
      'no-restricted-imports': ['error', noDeepEngineImports],
    },
  },
  { files: ['server/src/engine/*/*.ts'], rules: { 'no-restricted-imports': ['error', noDeepStageImports] } },
  {
    files: ['server/src/engine/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['./*/*', '!./*/index'], message: 'import a stage through its index.ts (e.g. "./absint")' },
          ],
        },
      ],
    },
  },
  // the language server and the engine log through the connection, never the console
  {
    files: [
      'server/src/engine/**/*.ts',
      'server/src/server.ts',
      'server/src/lsp/**/*.ts',
      'server/src/incremental/**/*.ts',
    ],
    rules: { 'no-console': 'error' },
  },
  // tests are specifications: a test body may be long, and reach into a stage to test it
  // (node:test's test() and describe() return promises the runner awaits itself)
  {
    files: ['test/**/*.ts'],
    rules: {
      'max-lines-per-function': 'off',
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-floating-promises': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        URL: 'readonly',
        performance: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        AbortController: 'readonly',
        fetch: 'readonly',
        TextDecoder: 'readonly',
        TextEncoder: 'readonly',
        structuredClone: 'readonly',
        globalThis: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off', 'max-lines-per-function': 'off' },
  },
  prettier,
  // line length: Prettier wraps code at 120; this catches what it cannot wrap (long strings, comments)
  {
    rules: {
      'max-len': [
        'error',
        { code: 120, ignoreUrls: true, ignoreRegExpLiterals: true, ignorePattern: '^\\s*(import|export) ' },
      ],
    },
  },
);
