/** npm run simulate: its files, read back by a second Avro implementation, and its errors. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFaultMix, parseSimulateArgs } from '../../detector/simulator/cli';
import { REPO_ROOT } from '../helpers/stackFiles';

const CLI = join(REPO_ROOT, 'detector', 'simulator', 'cli.ts');
const run = (args: string[]) => spawnSync(process.execPath, ['-r', '@swc-node/register', CLI, ...args], { cwd: REPO_ROOT, encoding: 'utf8' });

describe('simulate CLI', () => {
  it('writes readings that Apache Avro (Python) reads back, with the ground truth and a day summary', () => {
    const out = mkdtempSync(join(tmpdir(), 'sim-'));
    const result = run(['--devices', '4', '--date', '2026-11-19', '--seed', '3', '--out', out, '--workers', '1', '--fault-mix', 'normal=1,arc_fault=1']);
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/simulate: 4 devices in/);
    const day = JSON.parse(readFileSync(join(out, 'day.json'), 'utf8')) as { readings: number; devices: number; byFault: Record<string, number> };
    expect(day.devices).toBe(4);
    const truth = readFileSync(join(out, 'truth.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { deviceId: string; fault: string });
    expect(truth.map((t) => t.deviceId).sort()).toEqual(['PV-000001', 'PV-000002', 'PV-000003', 'PV-000004']);
    expect(day.byFault.normal! + day.byFault.arc_fault!).toBe(4);

    const python = `
import json, sys
from avro.datafile import DataFileReader
from avro.io import DatumReader
with open(sys.argv[1], "rb") as f:
    reader = DataFileReader(f, DatumReader())
    schema = json.loads(str(reader.datum_reader.writers_schema))
    n = 0; ids = set(); first = None
    for rec in reader:
        n += 1; ids.add(rec["deviceId"]); first = first or rec
print(json.dumps({"n": n, "ids": sorted(ids), "fields": [f["name"] for f in schema["fields"]], "codec": reader.get_meta("avro.codec").decode()}))
`;
    const seen = JSON.parse(execFileSync('/usr/bin/python3', ['-c', python, join(out, 'readings.avro')], { encoding: 'utf8' })) as { n: number; ids: string[]; fields: string[]; codec: string };
    expect(seen.n).toBe(day.readings);
    expect(seen.ids).toEqual(['PV-000001', 'PV-000002', 'PV-000003', 'PV-000004']);
    expect(seen.fields).toEqual(['deviceId', 'timestamp', 'voltage', 'current', 'temperature', 'irradiance']);
    expect(seen.codec).toBe('deflate');
  });

  it('writes one folder per day of a run of days; a later day simulated alone is the same day', () => {
    const out = mkdtempSync(join(tmpdir(), 'sim-days-'));
    const common = ['--devices', '6', '--seed', '4', '--workers', '1', '--fault-mix', 'normal=1,open_circuit=1,line_ground=1'];
    expect(run([...common, '--date', '2026-03-02', '--days', '3', '--out', out]).status).toBe(0);
    const truthOf = (dir: string) => readFileSync(join(dir, 'truth.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { deviceId: string; fault: string; onsetMs: number | null; presentAtStart: boolean });
    const days = ['2026-03-02', '2026-03-03', '2026-03-04'].map((d) => truthOf(join(out, d)));
    const summary = JSON.parse(readFileSync(join(out, '2026-03-04', 'day.json'), 'utf8')) as { date: string; firstDate: string; plantDay: number; faults: { presentAtStart: number } };
    expect(summary).toMatchObject({ date: '2026-03-04', firstDate: '2026-03-02', plantDay: 2 });
    // the faults of the first day (before the second's local midnight) still there on the third
    const carried = days[2]!.filter((t) => t.presentAtStart && t.onsetMs! < Date.parse('2026-03-02T23:00:00Z'));
    expect(carried.length).toBeGreaterThan(0);
    expect(summary.faults.presentAtStart).toBe(days[2]!.filter((t) => t.presentAtStart).length);
    for (const t of carried) expect(days[0]!.find((x) => x.deviceId === t.deviceId)!.fault).toBe(t.fault);

    const alone = join(out, 'alone');
    expect(run([...common, '--first-date', '2026-03-02', '--date', '2026-03-04', '--out', alone]).status).toBe(0);
    expect(truthOf(alone).sort((a, b) => a.deviceId.localeCompare(b.deviceId))).toEqual(days[2]!.sort((a, b) => a.deviceId.localeCompare(b.deviceId)));
  });

  it.each([
    [['--days', '0'], '--days: "0" is not a positive integer'],
    [['--date', '2026-03-01', '--first-date', '2026-03-02'], '--date: "2026-03-01" is before the plant\'s --first-date "2026-03-02"'],
    [['--first-date', '2026-02-30'], '--first-date: "2026-02-30" is not a calendar date'],
    [['--devices', '0'], '--devices: "0" is not a positive integer'],
    [['--date', '2026-13-01'], '--date: "2026-13-01" is not a calendar date'],
    [['--sky', 'foggy'], '--sky: expected one of clear, broken, mostly_cloudy, overcast, got "foggy"'],
    [['--fault-mix', 'normal=1,ground=2'], '--fault-mix: unknown class "ground"'],
    [['--fault-mix', 'normal=-1'], '--fault-mix: weight of normal must be a number ≥ 0'],
    [['--fault-mix', 'normal=0'], '--fault-mix: at least one weight must be positive'],
  ])('rejects %j with a clear message', (args, message) => {
    expect(() => parseSimulateArgs(args)).toThrow(message);
  });

  it('exits 2 with the usage on a bad flag', () => {
    const result = run(['--devices', 'many']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--devices: "many" is not a positive integer');
    expect(result.stderr).toContain('usage: npm run simulate');
    expect(run(['--bogus']).status).toBe(2);
  });

  it('parses a fault mix', () => {
    expect(parseFaultMix('normal=70,arc_fault=6')).toEqual({ normal: 70, arc_fault: 6 });
  });

  it('--design: the arrays of a file\'s design, refused with the key when wrong', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-design-'));
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ arrays: [{ share: 0.5, design: 'legacy-5x3-cs5p-220m' }, { share: 0.5, design: 'cdte-4x4-fs-6385' }] }));
    const { config } = parseSimulateArgs(['--date', '2026-06-10', '--devices', '4', '--design', good]);
    expect('parts' in config.design && config.design.parts.map((p) => [p.from, p.to, p.design.name])).toEqual([[0, 2, 'legacy-5x3-cs5p-220m'], [2, 4, 'cdte-4x4-fs-6385']]);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ modulesPerString: 5, strings: 3, module: 'First Solar_ Inc. FS-6385', blockingDiodes: { forwardVoltage: 9 } }));
    expect(() => parseSimulateArgs(['--date', '2026-06-10', '--design', bad])).toThrow('bad.json: design.blockingDiodes.forwardVoltage: must be a number 0..2, got 9');
  });
});
