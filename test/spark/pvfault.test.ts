/**
 * The Spark jobs' Python functions against the TypeScript they mirror, on the same
 * inputs: gold rows and the day verdict (detector/gold.ts), commit markers
 * (parseCommitMarker), the plant-day window (contracts/plantDay.ts).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { commitKey, dataKey, FAULT_CLASSES, parseCommitMarker, plantDayWindow } from '../../contracts';
import { ALARM_LABELS, type AlarmThresholds } from '../../detector/alarms';
import { goldRows } from '../../detector/gold';

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
  // thresholds that some days reach and others do not, different per label
  const thresholds = Object.fromEntries(ALARM_LABELS.map((l, i) => [l, 2 + i * 1.5])) as AlarmThresholds;
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
    cases.push({ windows, probs: Array.from(probs), ts: goldRows('PV-1', windows as never, probs, 'm1', thresholds) });
  }
  const py = python(
    `import json, sys
from pvfault import gold
out = []
for c in json.load(sys.stdin):
    ws = [(w["index"], w["startMs"], w["endMs"], w["skipReason"]) for w in c["windows"]]
    rows = gold.window_rows("PV-1", ws, c["probs"], "m1")
    out.append({"windows": rows, "daily": gold.daily_row("PV-1", rows, "m1", c["thresholds"])})
print(json.dumps(out))`,
    cases.map(({ windows, probs }) => ({ windows, probs, thresholds })),
  ) as { windows: unknown[]; daily: Record<string, unknown> }[];
  // the evidence is a sum of logarithms: V8's and libm's may differ in the last bit
  const approx = (d: Record<string, unknown>) => ({ ...d, alarmEvidence: d.alarmEvidence === null ? null : expect.closeTo(d.alarmEvidence as number, 9), alarmConfidence: d.alarmConfidence === null ? null : expect.closeTo(d.alarmConfidence as number, 12) });
  expect(py.map((p) => p.daily)).toEqual(cases.map((c) => approx(c.ts.daily as unknown as Record<string, unknown>)));
  expect(py.map((p) => p.windows)).toEqual(cases.map((c) => c.ts.windows));
  // the cases reach several verdicts, groups and classes among them, with onsets after the day's first window
  expect(new Set(cases.map((c) => c.ts.daily.verdict)).size).toBeGreaterThan(3);
  expect(cases.some((c) => c.ts.daily.alarmOnsetMs !== null && c.ts.daily.alarmOnsetMs > c.windows.find((w) => !w.skipReason)!.startMs)).toBe(true);
  expect(FAULT_CLASSES.length).toBe(6);
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
