/** Tests run in-process on the TypeScript sources; `npm test` type-checks first, so ts-jest only transpiles. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: { isolatedModules: true } , diagnostics: false }] },
  testTimeout: 60000,
};
