// @ts-check
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'node:*',
  'fs',
  'path',
  'os',
  'crypto',
  'child_process',
  'worker_threads',
  'url',
  'util',
  'stream',
  'http',
  'net',
];

/** What no file of the renderer imports: it runs in a sandboxed page and reaches the Node side through its client. */
const rendererRestrictions = {
  paths: [
    { name: 'electron', message: 'The renderer talks to the Node side only through its client.' },
    {
      name: 'better-sqlite3',
      message: 'The renderer talks to the Node side only through its client.',
    },
  ],
  patterns: [
    { group: nodeBuiltins, message: 'The renderer runs in a sandboxed page: no Node modules.' },
    {
      group: [
        '**/electron/core/*',
        '**/electron/core/**',
        '**/electron/main/**',
        '**/electron/web/**',
        '**/electron/cli/**',
        '**/electron/preload/**',
      ],
      message: 'The renderer may import the contract only.',
    },
    { group: ['**/electron/contract/**'], message: 'The renderer imports the contract as #contract/….' },
  ],
};

/** The renderer's floors: a folder imports only the floors below it (shell → features → ui, store, client). */
const rendererFloors = [
  {
    files: ['renderer/src/features/**'],
    above: ['**/shell/*'],
    message: 'A feature is below the shell: it never imports it.',
  },
  {
    files: ['renderer/src/ui/**', 'renderer/src/store/**', 'renderer/src/client/**'],
    above: ['**/shell/*', '**/features/**'],
    message: 'ui/, store/ and client/ are below the features and the shell: they never import them.',
  },
].map(({ files, above, message }) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        ...rendererRestrictions,
        patterns: [...rendererRestrictions.patterns, { group: above, message }],
      },
    ],
  },
}));

/** Folder rules from DESIGN.md's architecture, enforced here so that a wrong import fails `npm test`. */
const layerRules = [
  {
    files: ['electron/contract/**/*.ts'],
    // Its tests run on Node (node:test) and are not part of what the renderer bundles.
    ignores: ['electron/contract/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: nodeBuiltins, message: 'The contract is shared with the renderer: no Node modules.' },
            {
              group: ['electron', 'electron/main', 'electron/renderer', 'electron/common'],
              message: 'The contract imports no electron.',
            },
            {
              group: ['../core/*', '../cli/*', '../main/*', '../preload/*', '../web/*', 'better-sqlite3'],
              message: 'The contract depends on nothing but zod.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['electron/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['electron', 'electron/main', 'electron/renderer', 'electron/common'],
              message: 'core runs on plain Node (CLI, tests, web host): never import electron.',
            },
            {
              group: [
                '../cli/*',
                '../../cli/*',
                '../main/*',
                '../../main/*',
                '../web/*',
                '../../web/*',
                '../preload/*',
                '../../preload/*',
              ],
              message: 'core depends only on the contract.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    // Tests of the renderer's pure modules run on Node (node:test) and are not bundled.
    ignores: ['renderer/test/**'],
    rules: { 'no-restricted-imports': ['error', rendererRestrictions] },
  },
  ...rendererFloors,
  {
    files: ['electron/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../core/*', '../core/**', '../main/*', '../web/*', '../cli/*', 'better-sqlite3'],
              message: 'The preload exposes the contract only.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['electron/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'The CLI runs on plain Node.' }] },
      ],
    },
  },
];

export default tseslint.config(
  // bin/ and scripts/ are plain JavaScript launchers that run before anything is built.
  { ignores: ['dist/**', 'node_modules/**', 'bin/**', 'scripts/**', 'eslint.config.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['playwright.config.ts', 'renderer/vite.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      eqeqeq: 'error',
      'no-console': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', name: ['describe', 'it', 'test', 'suite'], package: 'node:test' },
          ],
        },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['renderer/**/*.tsx', 'renderer/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  {
    // A choice of more than two goes in named steps (if/else, a lookup, a small function, one `&&`
    // per case in JSX), not in a ternary inside a ternary.
    files: [
      'electron/**/*.ts',
      'bench/**/*.ts',
      'e2e/**/*.ts',
      'screenshots/**/*.ts',
      'renderer/**/*.{ts,tsx}',
    ],
    rules: { 'no-nested-ternary': 'error' },
  },
  {
    // Playwright fixtures must destructure their dependencies, even when they use none.
    files: ['e2e/**/*.ts'],
    rules: { 'no-empty-pattern': 'off' },
  },
  ...layerRules,
);
