import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/build/**', 'packages/*/assembly/**', 'packages/dsp/src/kernels/generated/**', 'data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // The DSP core is the bottom layer: it must never reach into another package.
      'no-restricted-imports': ['error', { patterns: [{ group: ['../../*/src/*', '../../../*/src/*'], message: 'Import a sibling package by name, never its src/.' }] }],
    },
  },
  {
    files: ['packages/dsp/src/**/*.ts'],
    ignores: ['packages/dsp/src/**/*.test.ts', 'packages/dsp/src/**/*.case.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@antiphase/*', 'node:*'], message: 'packages/dsp has no dependencies: it runs in Node, browsers and edge runtimes.' }] }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
