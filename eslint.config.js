// @ts-check
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('_')).flatMap((m) => [m, `node:${m}`]);

const electronBan = {
  name: 'electron',
  message: 'The core and shared code run in plain Node and the browser: never import electron here (see STYLE.md).',
};
const nativeBans = ['better-sqlite3', 'node-llama-cpp', 'ws'].map((name) => ({
  name,
  message: 'The renderer is untrusted and runs in a browser: talk to the core through lib/api.ts.',
}));

/**
 * Process boundaries, enforced by lint (tests/unit/lintBoundaries.test.ts proves each rule):
 * - src/main/core and src/shared never import electron;
 * - src/shared and src/renderer never import Node modules or native packages.
 */
export const boundaryRules = [
  {
    files: ['src/main/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronBan],
          patterns: [
            {
              group: ['**/electron/**', '**/main/electron*'],
              message: 'The core must not depend on the Electron shell.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            electronBan,
            ...nodeBuiltins.map((name) => ({
              name,
              message: 'src/shared is pure TypeScript shared with the renderer: no Node modules.',
            })),
            ...nativeBans,
          ],
        },
      ],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: 'The renderer never touches Electron directly: use lib/api.ts (the preload bridge).',
            },
            ...nodeBuiltins.map((name) => ({ name, message: 'The renderer runs in a browser: no Node modules.' })),
            ...nativeBans,
          ],
          patterns: [
            { group: ['**/main/**', '**/preload/**'], message: 'The renderer may import only src/shared and itself.' },
          ],
        },
      ],
    },
  },
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'out/',
      'build/',
      'native/build/',
      'native/build-*/',
      'native/.llama/',
      'native/.llama-*/',
      '.gpu/',
      'test-results/',
      'tests/fixtures/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  ...boundaryRules,
);
