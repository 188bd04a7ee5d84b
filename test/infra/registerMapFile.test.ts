import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_REGISTER_MAP_BYTES, readRegisterMap } from '../../infra/registerMapFile';
import { REGISTER_MAP_FIXTURE } from './mockStack';

describe('register map file (Modbus producer)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pv-map-'));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it('is not read for a simulator producer', () => {
    expect(readRegisterMap(null)).toBeNull();
  });

  it('returns a valid map as compact JSON', () => {
    const text = readRegisterMap(REGISTER_MAP_FIXTURE)!;
    expect(text).not.toMatch(/\n/);
    expect((JSON.parse(text) as { devices: unknown[] }).devices).toHaveLength(2);
  });

  it.each([
    ['a missing file', join(dir, 'absent.json'), 'pv-fault:producer.registerMapFile: cannot read'],
    ['broken JSON', file('broken.json', '{"devices": ['), 'is not valid JSON'],
    ['a map the producer would refuse', file('empty.json', '{"devices": []}'), '$.devices: must be a non-empty array'],
    ['a bad device id', file('bad-id.json', '{"devices": [{"deviceId": "../etc", "host": "h", "registers": {}}]}'), 'does not match the contract'],
    ['a map too large for a task definition', file('huge.json', JSON.stringify({ devices: Array.from({ length: 2000 }, (_, i) => ({ deviceId: `PV-${i}`, host: '10.0.0.1', registers: { voltage: { address: 0 }, current: { address: 1 }, temperature: { address: 2 }, irradiance: { address: 3 } } })) })), `at most ${MAX_REGISTER_MAP_BYTES} fit`],
  ])('stops the deployment on %s, naming the key', (_name, path, message) => {
    expect(() => readRegisterMap(path)).toThrow(message);
  });
});
