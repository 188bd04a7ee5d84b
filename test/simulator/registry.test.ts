import { parseDesignFile } from '../../contracts/design';
import { TABLES } from '../../contracts';
import { parseRegistry, registryText } from '../../contracts/registry';
import { plantConfig } from '../../detector/simulator/plant';
import { deviceRegistry } from '../../detector/simulator/registry';
import { SHAPE_TERMS } from '../../detector/perUnit';

describe('the device registry', () => {
  it('names each device its design, its module and its power at STC', () => {
    const design = parseDesignFile({ arrays: [{ devices: [0, 2], design: 'legacy-5x3-cs5p-220m' }, { devices: [2, 3], design: 'cdte-4x4-fs-6385' }] }, 3);
    const rows = deviceRegistry(plantConfig({ date: '2026-06-10', devices: 3, design }));
    expect(rows.map((r) => [r.deviceId, r.design, r.modulesPerString, r.strings, r.technology])).toEqual([
      ['PV-000001', 'legacy-5x3-cs5p-220m', 5, 3, 'Mono-c-Si'],
      ['PV-000002', 'legacy-5x3-cs5p-220m', 5, 3, 'Mono-c-Si'],
      ['PV-000003', 'cdte-4x4-fs-6385', 4, 4, 'CdTe'],
    ]);
    expect(rows[2]!.module).toBe('First Solar_ Inc. FS-6385');
    expect(rows[2]!.modulePmpStcW).toBe(385.344);
    // the single-diode model's STC power of 15 CS5P-220M and 16 FS-6385, near their nameplates
    expect(rows[0]!.arrayPmpStcW / (15 * 220) - 1).toBeLessThan(0.02);
    expect(Math.abs(rows[2]!.arrayPmpStcW / (16 * 385.344) - 1)).toBeLessThan(0.02);
  });

  it("writes exactly the columns of tables.json's silver_device_registry, with their types, in a registry the ingest accepts", () => {
    const rows = deviceRegistry(plantConfig({ date: '2026-06-10', devices: 2 }));
    expect(parseRegistry(registryText(rows), 'test')).toEqual(rows);
    const [row] = rows;
    const columns = TABLES.silver_device_registry.columns;
    expect(Object.keys(row!)).toEqual(columns.map((c) => c.name));
    for (const c of columns) {
      const v = (row as unknown as Record<string, unknown>)[c.name];
      if (c.type === 'string') expect(typeof v).toBe('string');
      else if (c.type === 'int32') expect(Number.isInteger(v)).toBe(true);
      // the per-unit shapes: one float32 per basis term (zeros for the default design)
      else if (c.type === 'float32[]') expect(v).toEqual(new Float32Array(SHAPE_TERMS));
      else expect(typeof v).toBe('number');
    }
  });
});
