import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRegistry, registryText } from '../../contracts/registry';
import { perUnitOf } from '../../detector/perUnit';
import { parseDesign } from '../../contracts/design';
import { perUnitOfDesign } from '../../detector/simulator/registry';
import { parseRegistryArgs, registryRows } from '../../local/registryCli';

describe('npm run registry', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'registry-cli-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes every array's row of a named design, with what the model divides its readings by, in a registry the ingest accepts", () => {
    const rows = registryRows(parseRegistryArgs(['--ids', 'PV-000002,PV-000001', '--design', 'cdte-4x4-fs-6385'])!);
    expect(rows.map((r) => [r.deviceId, r.design, r.modulesPerString, r.strings])).toEqual([
      ['PV-000001', 'cdte-4x4-fs-6385', 4, 4],
      ['PV-000002', 'cdte-4x4-fs-6385', 4, 4],
    ]);
    expect(perUnitOf(rows[0])).toEqual(perUnitOfDesign(parseDesign('cdte-4x4-fs-6385')));
    expect(parseRegistry(registryText(rows), 'test')).toEqual(rows);
  });

  it("takes the ids from a file and a plan's designs over them in id order; the default design without --design", () => {
    const ids = join(dir, 'ids.txt');
    writeFileSync(ids, '# the plant\nPV-000003\n\nPV-000001\nPV-000002\n');
    const plan = join(dir, 'plan.json');
    writeFileSync(plan, JSON.stringify({ arrays: [{ devices: [0, 2], design: 'legacy-5x3-cs5p-220m' }, { devices: [2, 3], design: 'poly-16x2-cs6p-250p' }] }));
    const rows = registryRows(parseRegistryArgs(['--ids-file', ids, '--design', plan])!);
    expect(rows.map((r) => [r.deviceId, r.design])).toEqual([
      ['PV-000001', 'legacy-5x3-cs5p-220m'],
      ['PV-000002', 'legacy-5x3-cs5p-220m'],
      ['PV-000003', 'poly-16x2-cs6p-250p'],
    ]);
    expect(registryRows(parseRegistryArgs(['--ids', 'PV-000001'])!)[0]!.design).toBe('legacy-5x3-cs5p-220m');
  });

  it.each([
    [[], '--ids or --ids-file: give one'],
    [['--ids', 'PV-1', '--ids-file', 'x'], '--ids or --ids-file: give one'],
    [['--ids', 'PV-000001,bad id'], '--ids: "bad id" does not match'],
    [['--ids', 'PV-000001,PV-000001'], '--ids: PV-000001 is listed twice'],
    [['--ids-file', '/nonexistent/ids.txt'], '--ids-file: /nonexistent/ids.txt does not exist'],
  ])('refuses %j, naming the flag', (argv, message) => {
    expect(() => parseRegistryArgs(argv)).toThrow(message);
  });

  it('refuses a design that is neither a named design nor a file', () => {
    expect(() => registryRows(parseRegistryArgs(['--ids', 'PV-000001', '--design', 'mono-9x9'])!)).toThrow('--design: "mono-9x9" is neither a design of contracts/designs.json');
  });
});
