import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const pureLibBans = ['@nestjs/*', 'typeorm', 'pg', '@nats-io/*', 'nestjs-pino', 'pino'];

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '.nx/**', 'coverage/**', '**/*.mjs', '**/*.js'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      // One NATS client library: @nats-io/* (v3). The `nats` v2 package is there only for the stock Nest client of examples/nest-client.
      'no-restricted-imports': ['error', { paths: [{ name: 'nats', message: 'Use @nats-io/transport-node (docs/architecture.md: one NATS client library).' }] }],
      '@nx/enforce-module-boundaries': ['error', {
        enforceBuildableLibDependency: false,
        allow: [],
        depConstraints: [
          // Contracts depend on nothing; pure domain libs on contracts and each other only.
          { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [], bannedExternalImports: pureLibBans },
          { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:contracts', 'type:domain'], bannedExternalImports: pureLibBans },
          { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:contracts', 'type:util'] },
          // What every service process runs on: NATS and the internal APIs' transport, the service foundation.
          { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:contracts', 'type:util', 'type:platform'] },
          // One store or stream each (outbox, model catalog, subscriber): never another data-access library.
          { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:contracts', 'type:util', 'type:domain', 'type:platform'] },
          { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', 'type:data-access', 'type:platform', 'type:util'] },
          // A service sees shared libs and its own scope, never another service's internals.
          { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
          { sourceTag: 'scope:gateway', onlyDependOnLibsWithTags: ['scope:shared', 'scope:gateway'] },
          { sourceTag: 'scope:models', onlyDependOnLibsWithTags: ['scope:shared', 'scope:models'] },
          { sourceTag: 'scope:twins', onlyDependOnLibsWithTags: ['scope:shared', 'scope:twins'] },
          { sourceTag: 'scope:relationships', onlyDependOnLibsWithTags: ['scope:shared', 'scope:relationships'] },
          { sourceTag: 'scope:routing', onlyDependOnLibsWithTags: ['scope:shared', 'scope:routing'] },
          { sourceTag: 'scope:query', onlyDependOnLibsWithTags: ['scope:shared', 'scope:query'] },
          { sourceTag: 'scope:history', onlyDependOnLibsWithTags: ['scope:shared', 'scope:history'] },
          { sourceTag: 'scope:jobs', onlyDependOnLibsWithTags: ['scope:shared', 'scope:jobs'] },
          // The Explorer runs in a browser: the API client and the contracts' types, nothing of a service.
          { sourceTag: 'scope:explorer', onlyDependOnLibsWithTags: ['scope:shared'], bannedExternalImports: pureLibBans },
          // The clients (dt, the MCP server) see the public API through @odt/client only.
          { sourceTag: 'scope:clients', onlyDependOnLibsWithTags: ['scope:shared'] },
          { sourceTag: 'scope:connector', onlyDependOnLibsWithTags: ['scope:shared', 'scope:connector'] },
        ],
      }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', 'tools/**/*.ts', 'test/**/*.ts'],
    rules: { 'no-console': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['examples/nest-client/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // A program for newcomers to read and copy: it prints with console.
    files: ['examples/sdk-quickstart/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
];
