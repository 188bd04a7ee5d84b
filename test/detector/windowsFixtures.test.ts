/** The shared window fixtures are what detector/windows.ts produces now (Python is held to them too). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from '../fixtures/windows/generate';

it('test/fixtures/windows/windows-cases.json is current', () => {
  const committed = JSON.parse(readFileSync(join(__dirname, '../fixtures/windows/windows-cases.json'), 'utf8')) as Record<string, unknown>;
  const now = JSON.parse(JSON.stringify(build())) as Record<string, unknown>;
  for (const key of ['silver', 'scale', 'windows', 'tensorIndices', 'tensors']) expect(committed[key]).toEqual(now[key]);
}, 60_000);
