/** The shared silver fixtures are what detector/silver.ts produces now (the Python side is held to them too). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expected } from '../fixtures/silver/generate';

it('test/fixtures/silver/silver-cases.json is current', () => {
  const committed = JSON.parse(readFileSync(join(__dirname, '../fixtures/silver/silver-cases.json'), 'utf8')) as { cases: unknown[] };
  expect(committed.cases).toEqual(JSON.parse(JSON.stringify(expected())));
});
