import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDesign } from '../../contracts/design';
import { parseRegistry, REGISTRY_KEY } from '../../contracts/registry';
import { readRegisterMap } from '../../infra/registerMapFile';
import { registryObject } from '../../infra/registryObject';
import { REGISTER_MAP_FIXTURE } from './mockStack';

const CDTE = { value: parseDesign('cdte-4x4-fs-6385', 'design'), setting: 'cdte-4x4-fs-6385' };
const simulator = { source: 'simulator' as const, simulatedDevices: 3 } as never;
const modbus = { source: 'modbus' as const, simulatedDevices: 0 } as never;
const textOf = (o: ReturnType<typeof registryObject>) => ('text' in o ? o.text : '');

describe("the stack's device registry object (the ingest's --registry-uri)", () => {
  it("is pv-fault:design on every simulated device, at the key the state machine names", () => {
    const o = registryObject({ registryFile: null, design: CDTE, producer: simulator }, null);
    expect(o.key).toBe(REGISTRY_KEY);
    const rows = parseRegistry(textOf(o), 'test');
    expect(rows.map((r) => [r.deviceId, r.design, r.technology])).toEqual([
      ['PV-000001', 'cdte-4x4-fs-6385', 'CdTe'],
      ['PV-000002', 'cdte-4x4-fs-6385', 'CdTe'],
      ['PV-000003', 'cdte-4x4-fs-6385', 'CdTe'],
    ]);
  });

  it("is pv-fault:design on every device of a Modbus plant's register map", () => {
    const map = readRegisterMap(REGISTER_MAP_FIXTURE)!;
    const ids = (JSON.parse(map) as { devices: { deviceId: string }[] }).devices.map((d) => d.deviceId).sort();
    const rows = parseRegistry(textOf(registryObject({ registryFile: null, design: CDTE, producer: modbus }, map)), 'test');
    expect(rows.map((r) => r.deviceId)).toEqual(ids);
    expect(rows.every((r) => r.design === 'cdte-4x4-fs-6385')).toBe(true);
  });

  it("is the operator's registry file when the stack names one, checked at deploy time by the ingest's parser", () => {
    const dir = mkdtempSync(join(tmpdir(), 'pv-registry-'));
    const own = registryObject({ registryFile: null, design: CDTE, producer: simulator }, null);
    writeFileSync(join(dir, 'plant.json'), textOf(own));
    expect(textOf(registryObject({ registryFile: join(dir, 'plant.json'), design: CDTE, producer: modbus }, null))).toBe(textOf(own));
    writeFileSync(join(dir, 'bad.json'), '{"devices": [{"deviceId": "PV-1"}]}');
    expect(() => registryObject({ registryFile: join(dir, 'bad.json'), design: CDTE, producer: simulator }, null)).toThrow(`pv-fault:registryFile: device registry ${join(dir, 'bad.json')}: devices[0].design is missing`);
    expect(() => registryObject({ registryFile: join(dir, 'absent.json'), design: CDTE, producer: simulator }, null)).toThrow('pv-fault:registryFile: cannot read');
  });
});
