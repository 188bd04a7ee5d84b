/** npm start's flags: a run of consecutive days, and what each engine refuses (local/main.ts). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../detector/commandLine';
import { DEFAULT_DESIGN } from '../../detector/simulator/plant';
import { parseStartArgs } from '../../local/main';

describe('npm start flags', () => {
  it('runs three days by default (the later ones judged against their own baselines), or --days consecutive days ending on --date; the Spark engine one', () => {
    expect(parseStartArgs(['--date', '2026-06-20']).days).toBe(3);
    expect(parseStartArgs(['--date', '2026-06-20', '--engine', 'spark']).days).toBe(1);
    expect(parseStartArgs(['--date', '2026-06-20', '--days', '1'])).toMatchObject({ date: '2026-06-20', days: 1 });
    expect(parseStartArgs(['--date', '2026-06-20', '--days', '3'])).toMatchObject({ date: '2026-06-20', days: 3 });
  });

  it.each([
    [['--days', '0'], '--days: "0" must be an integer in 1..31'],
    [['--days', '32'], '--days: "32" must be an integer in 1..31'],
    [['--days', '2', '--engine', 'spark'], '--days: the Spark engine runs one day'],
    [['--engine', 'flink'], '--engine: "flink" is not one of embedded, spark'],
  ])('refuses %j naming the flag', (argv, message) => {
    expect(() => parseStartArgs(argv)).toThrow(UsageError);
    expect(() => parseStartArgs(argv)).toThrow(message);
  });

  describe('--design', () => {
    const dir = mkdtempSync(join(tmpdir(), 'design-args-'));
    const file = (name: string, content: unknown) => {
      const path = join(dir, name);
      writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
      return path;
    };

    it('defaults to the default design; takes one design from a file, or a plan of mixed designs', () => {
      expect(parseStartArgs(['--date', '2026-06-20']).design).toBe(DEFAULT_DESIGN);
      const one = parseStartArgs(['--date', '2026-06-20', '--design', file('one.json', { modulesPerString: 12, strings: 2, module: 'Trina Solar TSM-250PD05' })]).design;
      expect(one).toMatchObject({ modulesPerString: 12, strings: 2, layout: { nSeries: 12, nStrings: 2 } });
      const mixed = parseStartArgs(['--date', '2026-06-20', '--devices', '10', '--design', file('mixed.json', { arrays: [{ share: 0.5, design: 'legacy-5x3-cs5p-220m' }, { share: 0.5, design: 'cdte-4x4-fs-6385' }] })]).design;
      expect('parts' in mixed && mixed.parts.map((p) => [p.from, p.to, p.design.name])).toEqual([[0, 5, 'legacy-5x3-cs5p-220m'], [5, 10, 'cdte-4x4-fs-6385']]);
    });

    it.each([
      ['zero.json', { modulesPerString: 0, strings: 3, module: 'Trina Solar TSM-250PD05' }, 'zero.json: design.modulesPerString: must be an integer 1..40, got 0'],
      ['unknown.json', { modulesPerString: 5, strings: 3, module: 'Acme 1' }, 'unknown.json: design.module: unknown module "Acme 1"'],
      ['broken.json', '{ "modulesPerString": ', '--design: cannot read'],
      ['gap.json', { arrays: [{ devices: [0, 100], design: 'legacy-5x3-cs5p-220m' }] }, 'design.arrays: the ranges cover devices 0..100, the plant has 300'],
    ])('refuses a bad design file (%s) naming the key', (name, content, message) => {
      const argv = ['--date', '2026-06-20', '--design', file(name, content)];
      expect(() => parseStartArgs(argv)).toThrow(UsageError);
      expect(() => parseStartArgs(argv)).toThrow(message);
    });

    it('the Spark engine refuses it (its producer simulates the default design)', () => {
      expect(() => parseStartArgs(['--engine', 'spark', '--design', file('ok.json', 'legacy-5x3-cs5p-220m')])).toThrow('--design: the Spark engine');
    });
  });
});
