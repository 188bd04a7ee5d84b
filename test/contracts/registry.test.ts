import cases from '../fixtures/contracts/device-registry-cases.json';
import { DEFAULT_DESIGN_NAME } from '../../contracts/design';
import { perUnitOf } from '../../detector/perUnit';
import { readFileSync } from 'node:fs';
import { DEFINITION_PATH } from '../../statemachine/definition';
import { designOf, parseRegistry, REGISTRY_KEY, RegistryError, registryText } from '../../contracts/registry';

// the same cases hold spark/pvfault/registry.py (test/python/test_registry.py), which the Spark ingest applies
describe('the device registry object', () => {
  it.each(cases.valid.map((c) => [c.name, c] as const))('reads %s', (_name, c) => {
    const rows = parseRegistry(c.text, cases.source);
    expect(rows.map((r) => r.deviceId)).toEqual(c.deviceIds);
    // what Pulumi and the local pipeline write is read back as it was
    expect(parseRegistry(registryText(rows), cases.source)).toEqual(rows);
  });

  it.each(cases.invalid.map((c) => [c.name, c] as const))('refuses %s, naming the row and the column', (_name, c) => {
    expect(() => parseRegistry(c.text, cases.source)).toThrow(new RegistryError(c.error));
  });

  it("names each device's design and what the model divides its readings by, and says when it is the default for want of a row", () => {
    const registry = new Map(parseRegistry(cases.lookups.registry, cases.source).map((r) => [r.deviceId, r]));
    for (const c of cases.lookups.cases) {
      expect(designOf(registry, c.deviceId)).toEqual({ design: c.design, designSource: c.designSource });
      expect(perUnitOf(registry.get(c.deviceId))).toEqual(c.perUnit);
    }
    // the fixture's default is the contract's default
    expect(cases.lookups.cases.find((c) => c.designSource === 'default')!.design).toBe(DEFAULT_DESIGN_NAME);
  });

  it('is the object the state machine hands the ingest (the key Pulumi writes it at)', () => {
    expect(readFileSync(DEFINITION_PATH, 'utf8')).toContain(`'--registry-uri', 's3://\${BootstrapBucket}/${REGISTRY_KEY}'`);
  });
});
