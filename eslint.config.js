// ESLint flat config: typescript-eslint's type-aware recommended rules over src, bench and test.
// Rules turned off below say why; everything else in `recommendedTypeChecked` holds.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '**/*.cjs', '**/*.mjs', 'eslint.config.js', 'vitest.config.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Fire-and-forget is written `void promise` on purpose (logged failures, shutdown paths).
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: true }],
      // Node's event emitters and Fastify take async listeners whose rejections we handle inside.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      // A variable assigned once after a closure that reads it was made (shutdown hooks) must stay `let`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // The ledger, processor and queries are objects of closures that never use `this`; passing their
      // methods around is how the composition root wires them.
      '@typescript-eslint/unbound-method': 'off',
      // Some functions are async to satisfy a promise-returning interface without awaiting anything.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Tests read JSON answers (`unknown`) and poke at them with matchers; `any` flows from there.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // expect.any / expect.stringMatching are typed `any`.
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
      // Tests build JSON by hand and match answers loosely.
      '@typescript-eslint/no-explicit-any': 'off',
      // Expected CLI output is written as it prints, column spaces included.
      'no-regex-spaces': 'off',
    },
  },
);
