/**
 * npm test runs jest twice (package.json test:unit, test:engines): the suites that
 * compute in jest's own process on one worker per core, then test/engines/ (a Kafka
 * broker, Spark's JVM and the producer in processes of their own) one suite at a time,
 * alone on the machine, because their deadlines assume the cores are theirs. Each part
 * runs even when the one before it failed (run-s --continue-on-error), so one CI run
 * reports every failing suite; npm test fails if any part did.
 *
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // A guard against a hang, not a deadline (no test asserts a time): suites that simulate
  // plant-days in jest's workers exceeded jest's default 5 s per test on a machine another
  // job was loading (2026-12-07), and a slower CPU would too.
  testTimeout: 60_000,
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest'] },
  // hyparquet and friends ship ES modules only: let swc turn them into CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!(hyparquet|hyparquet-writer)/)'],
};
