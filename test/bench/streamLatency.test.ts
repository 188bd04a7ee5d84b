import { DEFAULT_DESIGN } from '../../detector/simulator/plant';
import { faultLatencies, latencyLines, type ScoredWindow, type TruthOfDay } from '../../bench/streamLatency';

const MIN = 60_000;
const DAY = Date.UTC(2026, 6, 13, 22); // a plant day's start (Europe/Madrid, summer)
const W = 64 * 20_000; // one window
/** 67 windows of a device, daylight (predicted) from the 21st to the 56th */
function dayWindows(deviceId: string): ScoredWindow[] {
  return Array.from({ length: 67 }, (_, i) => ({ deviceId, startMs: DAY + i * W, endMs: DAY + (i + 1) * W, skipReason: i >= 20 && i < 56 ? null : 'low_irradiance' }));
}
const firstDaylight = DAY + 20 * W;
const truth = (deviceId: string, fault: TruthOfDay['fault'], onsetMs: number | null, active: [number, number][], severity: TruthOfDay['severity'] = {}): TruthOfDay => ({ deviceId, design: DEFAULT_DESIGN, fault, onsetMs, severity, active });

describe('faultLatencies', () => {
  const truths = [
    truth('a', 'arc_fault', DAY - 86_400_000, [[DAY, DAY + 67 * W]]), // from an earlier day, acting all day
    truth('b', 'partial_shading', DAY + 30 * W + 5 * MIN, [[DAY + 30 * W + 5 * MIN, DAY + 36 * W]]), // a shadow in the afternoon
    truth('c', 'open_circuit', DAY + 2 * W, [[DAY + 2 * W, DAY + 67 * W]]), // overnight: before the first daylight window
    truth('d', 'line_ground', DAY + 25 * W, [[DAY + 25 * W, DAY + 67 * W]], { resistance: 5 }), // alarmed as the group: not counted named
    truth('e', 'arc_fault', DAY + 40 * W, [[DAY + 40 * W, DAY + 40 * W + 5 * MIN]]), // acts in one daylight window only: not visible
    truth('f', 'normal', null, []),
    truth('g', 'line_line', DAY + 22 * W, [[DAY + 22 * W, DAY + 67 * W]], { count: 1 }), // no alarm
  ];
  const windows = [...['a', 'b', 'c', 'd', 'e', 'f', 'g'].flatMap(dayWindows), ...dayWindows('a').slice(20, 30)]; // a's windows twice (a compaction)
  const alarms = [
    { deviceId: 'a', label: 'arc_fault', detectedMs: firstDaylight + 25 * MIN },
    { deviceId: 'b', label: 'partial_shading', detectedMs: DAY + 30 * W + 65 * MIN },
    { deviceId: 'c', label: 'string_blocked', detectedMs: firstDaylight + 100 * MIN },
    { deviceId: 'd', label: 'string_blocked', detectedMs: DAY + 27 * W },
    { deviceId: 'f', label: 'line_ground', detectedMs: DAY + 30 * W },
  ];
  const rows = faultLatencies(truths, windows, alarms, DAY);

  it('counts from the delay start the eval counts from, to the detection, over the visible faults', () => {
    expect(rows.map((r) => [r.deviceId, r.began, r.alarm, r.named, r.minutes === null ? null : Math.round(r.minutes * 1000) / 1000])).toEqual([
      ['a', 'earlier-day', 'arc_fault', true, 25],
      ['b', 'in-daylight', 'partial_shading', true, 60],
      ['c', 'overnight', 'string_blocked', true, 100],
      ['d', 'in-daylight', 'string_blocked', false, null],
      ['g', 'in-daylight', null, false, null],
    ]);
  });

  it('prints named of visible and the latency per when the fault began', () => {
    const text = latencyLines('early', rows).join('\n');
    expect(text).toMatch(/all +3 of +5 visible faults named; latency median 60, p90 100 plant min/);
    expect(text).toMatch(/in-daylight +1 of +3 visible faults named; latency median 60, p90 60/);
    expect(text).toContain('1 leak(s) alarmed as a group are not counted');
  });

  it('names a fault when the label its group alarm got later names it, counted to the label', () => {
    const labels = [{ deviceId: 'd', label: 'line_ground', detectedMs: DAY + 28 * W }];
    const d = faultLatencies(truths, windows, alarms, DAY, labels).find((r) => r.deviceId === 'd')!;
    expect([d.alarm, d.named, d.minutes]).toEqual(['line_ground', true, (3 * W) / MIN]);
    // a label without its first alarm, or of another device, names nothing
    expect(faultLatencies(truths, windows, [], DAY, labels).find((r) => r.deviceId === 'd')!.named).toBe(false);
  });

  it('leaves out a device the stream scored no window of', () => {
    expect(faultLatencies([truth('z', 'arc_fault', DAY, [[DAY, DAY + 67 * W]])], windows, [], DAY)).toEqual([]);
  });
});
