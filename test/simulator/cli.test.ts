/** npm run simulate: its files, read back by a second Avro implementation, and its errors. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
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

  it.each([
    [['--devices', '0'], '--devices: "0" is not a positive integer'],
    [['--date', '2026-13-01'], '--date: "2026-13-01" is not a calendar date'],
    [['--sky', 'foggy'], '--sky: expected one of clear, broken, overcast, got "foggy"'],
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
});
