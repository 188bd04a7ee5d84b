/** The evaluation's cache: records back to the last bit, one file per model and plant-day, and a clear error on a damaged file. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_HISTORY, type DeviceReference } from '../../detector/baseline';
import { CACHE_FORMAT, cachePath, readCache, recordShapingContent, writeCache } from '../../detector/eval/cache';
import type { PlantDaySpec } from '../../detector/eval/plantDays';
import type { DeviceDayRecord } from '../../detector/eval/records';

const spec: PlantDaySpec = { plant: 0, day: 0, scored: true, seed: 5000, date: '2026-06-15', sky: 'clear', devices: 6, faultMix: { normal: 1 } };
const NONE = new Map<string, DeviceReference>();
const record: DeviceDayRecord = {
  plantDay: '2026-06-15 clear (plant 1, day 1)',
  evidence: { deviceId: 'PV-000001', date: '2026-06-15', windows: [{ startMs: 0, endMs: 1_280_000, skipReason: null }, { startMs: 1_280_000, endMs: 2_560_000, skipReason: 'missing_data' }], probs: Float32Array.of(0.1, 1 / 3, 1e-30, Math.fround(0.7), 0, 2 ** -149), baselineDays: 3, baselineGain: 0.981, ratio: 0.0123 },
  truth: { fault: 'line_line', onsetMs: 5, severity: { count: 2, resistance: 0.3 }, severityGroup: '2 of 5 modules shorted', intermittent: false, sky: 'clear', activeSlots: [64, 0] },
};

describe('the evaluation cache', () => {
  it('gives the records back exactly, probabilities to the last bit', () => {
    const path = cachePath(mkdtempSync(join(tmpdir(), 'eval-cache-')), 'm1', spec, NONE);
    expect(readCache(path)).toBeNull();
    writeCache(path, [record]);
    const [back] = readCache(path)!;
    expect(back).toEqual(record);
    expect(Buffer.from(back!.evidence.probs.buffer)).toEqual(Buffer.from(record.evidence.probs.buffer));
    // the window means, when the gold rows carried them, to the last bit too
    const measured: DeviceDayRecord = { ...record, evidence: { ...record.evidence, means: Float64Array.of(271.03125, 5.1 / 3, -2.5e-7, 812.4) } };
    writeCache(path, [measured]);
    const [again] = readCache(path)!;
    expect(again).toEqual(measured);
    expect(Buffer.from(again!.evidence.means!.buffer)).toEqual(Buffer.from(measured.evidence.means!.buffer));
  });

  it('keys files by model version, by every field of the plant-day and by the baselines and designs its devices were judged against', () => {
    const dir = '/c';
    const own = new Map([['PV-000001', { ...NO_HISTORY, gain: 0.97, days: 2 }]]);
    const paths = [cachePath(dir, 'm1', spec, NONE), cachePath(dir, 'm2', spec, NONE), cachePath(dir, 'm1', { ...spec, devices: 7 }, NONE), cachePath(dir, 'm1', { ...spec, sky: 'broken' }, NONE), cachePath(dir, 'm1', { ...spec, faultMix: { normal: 2 } }, NONE), cachePath(dir, 'm1', spec, own), cachePath(dir, 'm1', spec, new Map([['PV-000001', { ...NO_HISTORY, gain: 0.97, days: 3 }]])), cachePath(dir, 'm1', spec, new Map([['PV-000001', { ...NO_HISTORY, gain: 0.98, days: 2 }]])), cachePath(dir, 'm1', spec, new Map([['PV-000001', { ...NO_HISTORY, gain: 0.97, days: 2, perUnit: { ...NO_HISTORY.perUnit, impStcA: 8.92 } }]]))];
    expect(new Set(paths).size).toBe(paths.length);
    expect(paths[0]).toMatch(/^\/c\/cache\/m1\/2026-06-15-p1d1-[0-9a-f]{16}\.json$/);
  });

  it('names a damaged file and what to do', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'eval-cache-')), 'x.json');
    writeFileSync(path, '{"format": 1, "records": [');
    expect(() => readCache(path)).toThrow(`${path}: unreadable evaluation cache`);
    writeFileSync(path, '{"format": 0}');
    expect(() => readCache(path)).toThrow(`${path}: not an evaluation cache of format ${CACHE_FORMAT}; delete it or run with --fresh`);
  });

  it("hashes the contract files without their doc strings and contracts/detector.json without its alarms (the decision's rules), which never shape a record; every other file whole", () => {
    const detector = join(__dirname, '..', '..', 'contracts', 'detector.json');
    const hashed = JSON.parse(String(recordShapingContent(detector))) as Record<string, unknown>;
    const whole = JSON.parse(readFileSync(detector, 'utf8')) as Record<string, unknown>;
    expect(hashed).not.toHaveProperty('alarms');
    expect(Object.keys(hashed)).toEqual(Object.keys(whole).filter((k) => k !== 'alarms' && k !== 'doc'));
    expect(hashed.cwt).toEqual(Object.fromEntries(Object.entries(whole.cwt as object).filter(([k]) => k !== 'doc')));
    // prose anywhere in a contract file is left out, values are kept
    const tables = join(__dirname, '..', '..', 'contracts', 'tables.json');
    const text = String(recordShapingContent(tables));
    expect(text).not.toContain('"doc"');
    expect(text).toContain('"gold_window"');
    // any other source is hashed whole
    const source = join(__dirname, '..', '..', 'detector', 'windows.ts');
    expect(Buffer.compare(recordShapingContent(source) as Buffer, readFileSync(source))).toBe(0);
  });
});
