/** The shared window fixtures are what detector/windows.ts produces now (Python is held to them too). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from '../fixtures/windows/generate';

it('test/fixtures/windows/windows-cases.json is current', () => {
  const committed = JSON.parse(readFileSync(join(__dirname, '../fixtures/windows/windows-cases.json'), 'utf8')) as Record<string, unknown>;
  const now = JSON.parse(JSON.stringify(build())) as Record<string, unknown>;
  for (const key of ['silver', 'scale', 'levelNormalization', 'windows', 'tensorIndices', 'levels', 'asOfEndEdge', 'asOfEndIndices', 'asOfEndLevels']) expect(committed[key]).toEqual(now[key]);
  // tensors come from floating-point FFTs: equal within 1e-6, not bit for bit
  const decode = (b64: unknown) => new Float32Array(new Uint8Array(Buffer.from(b64 as string, 'base64')).buffer);
  for (const key of ['tensors', 'asOfEndTensors']) {
    const [a, b] = [decode(committed[key]), decode(now[key])];
    expect(a).toHaveLength(b.length);
    a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThan(1e-6));
  }
}, 60_000);
