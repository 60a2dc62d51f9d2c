/** One Jest run over every project: `*.spec.ts` (pure) and `*.int-spec.ts` (real Postgres/NATS). */
const swc = ['@swc/jest', {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
}];

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test', '<rootDir>/tools'],
  testMatch: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^@odt/client/node$': '<rootDir>/libs/client/src/node.ts',
    '^@odt/(client|contracts|dtdl|event-filter|graph-domain|history-domain|messaging|model-catalog|outbox|query|service-kit|service-runtime|subscriber)$': '<rootDir>/libs/$1/src/index.ts',
  },
  testTimeout: 60000,
  maxWorkers: 2,
};
