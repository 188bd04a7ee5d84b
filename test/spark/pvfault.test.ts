/**
 * The Spark jobs' Python functions against the TypeScript they mirror, on the same
 * inputs: gold rows and the day verdict (detector/gold.ts), commit markers
 * (parseCommitMarker), the plant-day window (contracts/plantDay.ts).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { commitKey, dataKey, FAULT_CLASSES, parseCommitMarker, plantDayWindow } from '../../contracts';
import { ALARM_LABELS, ruleFor, type AlarmThresholds } from '../../detector/alarms';
import { dayRatio, NO_HISTORY, type DeviceReference } from '../../detector/baseline';
import { silverOf } from '../../detector/dataset';
import { goldRows } from '../../detector/gold';
import { plantConfig, simulatePlantDay } from '../../detector/simulator/plant';
import { filledChannels, modelInputs, N_LEVELS, WINDOW_VALUES, windowsOf } from '../../detector/windows';
import { toPerUnit } from '../../detector/perUnit';
import { perUnitOfDesign } from '../../detector/simulator/registry';
import { parseDesign } from '../../contracts/design';
import { NORMALIZATION } from '../fixtures/windows/generate';

const REPO = join(__dirname, '..', '..');

function python(script: string, input: unknown): unknown {
  const r = spawnSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify(input), env: { ...process.env, PYTHONPATH: join(REPO, 'spark') }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

test('gold rows, the day\'s alarm and its verdict equal detector/gold.ts', () => {
  const cases = [];
  const next = rng(7);
  // thresholds that some days reach and others do not, different per label; the fleet's
  // higher (a device without history needs more evidence), so the set picked matters
  const sets = {
    own: Object.fromEntries(ALARM_LABELS.map((l, i) => [l, 2 + i * 1.5])) as AlarmThresholds,
    fleet: Object.fromEntries(ALARM_LABELS.map((l, i) => [l, 3 + i * 1.5])) as AlarmThresholds,
  };
  // the second stage's (alarms.raise): the group string_blocked (9.5 and 10.5 above) raised well before it is named
  const raise = { own: { string_blocked: 4 }, fleet: { string_blocked: 5 } };
  for (let c = 0; c < 40; c++) {
    const n = 1 + Math.floor(next() * 67);
    const windows = Array.from({ length: n }, (_, i) => ({ index: i, startMs: 1e12 + i * 1_280_000, endMs: 1e12 + (i + 1) * 1_280_000, skipReason: next() < 0.3 ? (next() < 0.5 ? 'low_irradiance' : 'missing_data') : null }));
    const predicted = windows.filter((w) => !w.skipReason).length;
    // few dominant classes so that ties and thresholds happen
    const probs = new Float32Array(predicted * 6);
    for (let k = 0; k < predicted; k++) {
      const hot = [0, 2, 5][Math.floor(next() * 3)]!;
      for (let j = 0; j < 6; j++) probs[k * 6 + j] = j === hot ? 0.5 + next() / 4 : next() / 10;
    }
    // every other day judged against its own baseline (gain and days recorded, the own set)
    const reference: DeviceReference = c % 2 === 0 ? NO_HISTORY : { ...NO_HISTORY, gain: 0.9 + (c % 5) / 25, days: 1 + (c % 7) };
    cases.push({ windows, probs: Array.from(probs), reference, ts: goldRows('PV-1', windows as never, probs, 'm1', ruleFor(sets, raise, reference.days), reference) });
  }
  const py = python(
    `import json, sys
from pvfault import gold
from pvfault.baseline import Reference
out = []
for c in json.load(sys.stdin):
    ws = [(w["index"], w["startMs"], w["endMs"], w["skipReason"]) for w in c["windows"]]
    rows = gold.window_rows("PV-1", ws, c["probs"], "m1")
    ref = Reference(c["reference"]["gain"], c["reference"]["days"])
    out.append({"windows": rows, "daily": gold.daily_row("PV-1", rows, "m1", c["sets"], ref, raise_sets=c["raise"])})
print(json.dumps(out))`,
    cases.map(({ windows, probs, reference }) => ({ windows, probs, reference, sets, raise })),
  ) as { windows: unknown[]; daily: Record<string, unknown> }[];
  // the evidence is a sum of logarithms: V8's and libm's may differ in the last bit
  const approx = (d: Record<string, unknown>) => ({ ...d, alarmEvidence: d.alarmEvidence === null ? null : expect.closeTo(d.alarmEvidence as number, 9), alarmConfidence: d.alarmConfidence === null ? null : expect.closeTo(d.alarmConfidence as number, 12) });
  expect(py.map((p) => p.daily)).toEqual(cases.map((c) => approx(c.ts.daily as unknown as Record<string, unknown>)));
  expect(py.map((p) => p.windows)).toEqual(cases.map((c) => c.ts.windows));
  // the cases reach several verdicts, groups and classes among them, with onsets after the day's first window
  expect(new Set(cases.map((c) => c.ts.daily.verdict)).size).toBeGreaterThan(3);
  expect(cases.some((c) => c.ts.daily.alarmOnsetMs !== null && c.ts.daily.alarmOnsetMs > c.windows.find((w) => !w.skipReason)!.startMs)).toBe(true);
  // both sets decide some days: with the own set an alarm the fleet set would not raise
  expect(cases.some((c) => c.reference.days > 0 && c.ts.daily.verdict !== 'normal' && c.ts.daily.verdict !== null && goldRows('PV-1', c.windows as never, Float32Array.from(c.probs), 'm1', ruleFor(sets, raise, 0)).daily.verdict === 'normal')).toBe(true);
  // and the second stage raises some days as the group before naming them, and some it never names
  expect(cases.some((c) => c.ts.daily.alarmRaisedAs === 'string_blocked')).toBe(true);
  expect(cases.some((c) => c.ts.daily.verdict === 'string_blocked' && c.ts.daily.alarmLabelledMs === null)).toBe(true);
  expect(FAULT_CLASSES.length).toBe(6);
});

test("a device judged with a baseline gain and another design's per-unit reference: the Python model inputs and the day's ratio equal detector/windows.ts's", () => {
  const plant = simulatePlantDay(plantConfig({ date: '2026-05-12', devices: 1, seed: 23, faultMix: { normal: 1 } }));
  const row = silverOf([...plant.devices()][0]!, plant.window);
  const windows = windowsOf(row);
  const picked = windows.filter((w) => !w.skipReason).filter((_, i) => i % 6 === 0).map((w) => w.index);
  const gain = 0.93;
  // a 4 × 4 CdTe array's (detector/simulator/registry.ts perUnitOfDesign): the model reads voltage and current per unit of it, mapped by its shapes onto the default design's
  const perUnit = perUnitOfDesign(parseDesign('cdte-4x4-fs-6385'));
  expect(perUnit.voltageShape).not.toBeNull();
  const withGain = modelInputs(row, picked, NORMALIZATION, undefined, toPerUnit(filledChannels(row, gain), perUnit));
  const without = modelInputs(row, picked, NORMALIZATION, undefined, toPerUnit(filledChannels(row), perUnit));
  const col = (a: Float32Array) => Array.from(a, (v) => (Number.isNaN(v) ? null : v));
  const py = python(
    `import base64, json, sys
import numpy as np
from pvfault import baseline, windows
d = json.load(sys.stdin)
row = dict(d["silver"])
for c in windows.CHANNELS:
    row[c] = np.array([np.nan if v is None else v for v in row[c]], dtype=np.float32)
row["quality"] = np.array(row["quality"], dtype=np.int32)
ws = windows.windows_of(row)
filled = windows.to_per_unit(windows.filled_channels(row, d["gain"]), windows.PerUnit(**d["perUnit"]))
sc = windows.day_scalograms(row, filled)
# float32 little-endian, base64: the images are too many numbers for JSON on a pipe
images = base64.b64encode(np.concatenate([windows.window_tensor(sc, i, d["scale"]).ravel() for i in d["picked"]]).astype("<f4").tobytes()).decode()
levels = [windows.window_levels(filled, i, d["levels"]).tolist() for i in d["picked"]]
print(json.dumps({"skips": [w[3] for w in ws], "images": images, "levels": levels, "ratio": baseline.day_ratio(windows.filled_channels(row), ws, windows.PerUnit(**d["perUnit"]))}))`,
    { silver: { deviceId: row.deviceId, startMs: row.startMs, stepMs: row.stepMs, samples: row.samples, quality: Array.from(row.quality), voltage: col(row.voltage), current: col(row.current), temperature: col(row.temperature), irradiance: col(row.irradiance) }, gain, perUnit, picked, scale: NORMALIZATION.scale, levels: NORMALIZATION.levels },
  ) as { skips: (string | null)[]; images: string; levels: number[][]; ratio: number | null };
  const images = new Float32Array(new Uint8Array(Buffer.from(py.images, 'base64')).buffer);
  expect(images).toHaveLength(picked.length * WINDOW_VALUES);
  // the skip rule reads the measured irradiance, with or without a gain
  expect(py.skips).toEqual(windows.map((w) => w.skipReason));
  const ratio = dayRatio(filledChannels(row), windows, perUnit);
  expect(ratio).not.toBeNull();
  expect(Math.abs(py.ratio! - ratio!) / ratio!).toBeLessThan(1e-6);
  // within the windows fixtures' tolerances (test/python/test_windows.py): images 1e-5 (pywt against the FFT CWT), levels 1e-6
  let imageDiff = 0;
  let levelDiff = 0;
  picked.forEach((_, k) => {
    for (let j = 0; j < WINDOW_VALUES; j++) imageDiff = Math.max(imageDiff, Math.abs(images[k * WINDOW_VALUES + j]! - withGain.images[k * WINDOW_VALUES + j]!));
    py.levels[k]!.forEach((v, j) => (levelDiff = Math.max(levelDiff, Math.abs(v - withGain.levels[k * N_LEVELS + j]!))));
  });
  expect(imageDiff).toBeLessThan(1e-5);
  expect(levelDiff).toBeLessThan(1e-6);
  // and the gain changed what the model reads, far beyond those tolerances
  let moved = 0;
  for (let j = 0; j < without.levels.length; j++) moved = Math.max(moved, Math.abs(without.levels[j]! - withGain.levels[j]!));
  expect(moved).toBeGreaterThan(1e-2);
});

test("the Python commit protocol's markers pass parseCommitMarker and use the contract's keys", () => {
  const py = python(
    `import json, sys
from pvfault import tables
class Store:
    def __init__(self): self.o = {}
    def read_text(self, k): return self.o.get(k)
    def write_text(self, k, t): self.o[k] = t
    def move(self, a, b): self.o[b] = self.o.pop(a, "")
    def delete(self, k): self.o.pop(k, None)
    def list(self, prefix): return sorted(k for k in self.o if k.startswith(prefix))
s = Store()
staged = [{"key": "x/%d" % i, "rows": r, "bytes": 10, "minDeviceId": "A" if r else None, "maxDeviceId": "B" if r else None} for i, r in enumerate([2, 0, 3])]
m = tables.publish(s, "gold_window", "2026-11-19", "exec-1", staged, tables.iso_now(), "silver-run")
print(json.dumps({"marker": s.o["window/_commits/date=2026-11-19.json"], "keys": [f["key"] for f in m["files"]]}))`,
    null,
  ) as { marker: string; keys: string[] };
  const marker = parseCommitMarker(py.marker, { table: 'gold_window', date: '2026-11-19' });
  expect(commitKey('gold_window', '2026-11-19')).toBe('window/_commits/date=2026-11-19.json');
  expect(py.keys).toEqual([dataKey('gold_window', '2026-11-19', 'exec-1', 0), dataKey('gold_window', '2026-11-19', 'exec-1', 1)]);
  expect(marker.rows).toBe(5);
  expect(marker.inputRunId).toBe('silver-run');
  expect(Number.isNaN(Date.parse(marker.committedAt))).toBe(false);
});

test('the plant-day window equals contracts/plantDay.ts', () => {
  const days = [];
  for (const zone of ['Europe/Madrid', 'America/Santiago', 'America/Havana', 'Australia/Lord_Howe', 'UTC'])
    for (const date of ['2026-03-08', '2026-03-29', '2026-04-05', '2026-09-06', '2026-10-04', '2026-10-25', '2026-11-01', '2026-11-19']) days.push({ zone, date });
  const py = python(
    `import json, sys
from pvfault.plantday import plant_day_window
print(json.dumps([list(plant_day_window(d["date"], d["zone"])) for d in json.load(sys.stdin)]))`,
    days,
  );
  expect(py).toEqual(days.map((d) => { const w = plantDayWindow(d.date, d.zone); return [w.startMs, w.endMs]; }));
});
