import { arrayInterval, arrayOf, pairedInterval, RESAMPLES } from '../../detector/eval/bootstrap';
import type { Outcome } from '../../detector/eval/outcome';
import { goalsOf, recallRow } from '../../detector/eval/summary';

/** A device-day outcome with what the bootstrap and the goals read; the rest as a healthy clear day. */
function outcome(plant: number, day: number, deviceId: string, o: Partial<Outcome> = {}): Outcome {
  return {
    plantDay: `2026-06-1${day} clear (plant ${plant}, day ${day})`,
    deviceId,
    date: `2026-06-1${day}`,
    sky: 'clear',
    judgedAgainst: 'own-baseline',
    fault: 'normal',
    severity: 'normal',
    daylightWindows: 30,
    actingWindows: 0,
    visible: false,
    alarm: null,
    named: false,
    ownClass: false,
    delayMin: null,
    began: null,
    conditions: [],
    ...o,
  };
}

const fault = (named: boolean, delayMin = 21.3): Partial<Outcome> => ({ fault: 'line_line', severity: 'line_line · 1 of 5 modules shorted', actingWindows: 20, visible: true, named, ownClass: named, alarm: named ? 'line_line' : null, delayMin: named ? delayMin : null, began: 'earlier-day' });
const namedRate = (os: readonly Outcome[]) => recallRow(os.filter((o) => o.visible)).namedRate;

describe('the goals\' intervals over the plan\'s arrays (eval/bootstrap.ts)', () => {
  it('keys a device-day by its plant and device, keeping what names a twin or a condition plant', () => {
    expect(arrayOf({ plantDay: '2026-02-15 broken (plant 1, day 5)', deviceId: 'PV-000006' })).toBe('(plant 1|PV-000006');
    expect(arrayOf({ plantDay: '2026-06-13 broken (plant 1, warm-up day 3)', deviceId: 'PV-000006' })).toBe('(plant 1|PV-000006');
    const twin = arrayOf({ plantDay: "2026-06-13 broken default as poly-16x2-cs6p-250p's twin (plant 15, day 5)", deviceId: 'PV-000001' });
    expect(twin).not.toBe(arrayOf({ plantDay: '2026-06-13 broken poly-16x2-cs6p-250p (plant 15, day 5)', deviceId: 'PV-000001' }));
  });

  it('collapses to the figure when every array measures the same, and is the same on every run', () => {
    // 50 arrays, each named on 3 of its 4 faulty days
    const os = Array.from({ length: 50 }, (_, a) => [1, 2, 3, 4].map((d) => outcome(1, d, `PV-${a}`, fault(d !== 4)))).flat();
    expect(arrayInterval(os, namedRate)).toEqual([0.75, 0.75]);
    expect(arrayInterval(os, namedRate, 200)).toEqual(arrayInterval(os, namedRate, 200));
  });

  it('resamples an array\'s days together: days that move together widen the interval', () => {
    // the same 200 device-days, half named: 10 arrays all named or all missed for 10 days, or 200 arrays of one day each mixed
    const together = Array.from({ length: 20 }, (_, a) => Array.from({ length: 10 }, (_, d) => outcome(1, d, `PV-${a}`, fault(a % 2 === 0)))).flat();
    const apart = Array.from({ length: 200 }, (_, a) => outcome(1, 1, `PV-${a}`, fault(a % 2 === 0)));
    expect(namedRate(together)).toBe(0.5);
    expect(namedRate(apart)).toBe(0.5);
    const [lt, ht] = arrayInterval(together, namedRate)!;
    const [la, ha] = arrayInterval(apart, namedRate)!;
    expect(lt).toBeLessThan(0.5);
    expect(ht).toBeGreaterThan(0.5);
    expect(ht - lt).toBeGreaterThan(2 * (ha - la));
    // the binomial spread of 200 independent days: ±1.96 × √(0.25 / 200) ≈ ±0.069, within a resampling error
    expect(ha - la).toBeGreaterThan(0.1);
    expect(ha - la).toBeLessThan(0.18);
  });

  it('is null without outcomes, or where the statistic has nothing to measure on most resamples', () => {
    expect(arrayInterval([], namedRate)).toBeNull();
    const healthy = Array.from({ length: 30 }, (_, a) => outcome(1, 1, `PV-${a}`));
    expect(arrayInterval(healthy, namedRate)).toBeNull();
  });

  it('gives each goal its interval around its measured figure, over the same device-days', () => {
    const ordinary = Array.from({ length: 40 }, (_, a) =>
      [1, 2, 3].map((d) => outcome(2, d, `PV-${a}`, a < 10 ? fault(a % 3 !== 0, 21.3 * (1 + (a % 4))) : a === 39 && d === 2 ? { alarm: 'arc_fault' } : {})),
    ).flat();
    const withCondition = Array.from({ length: 20 }, (_, a) => outcome(3, 1, `PV-${a}`, { conditions: ['soiling'], alarm: a < 2 ? 'line_ground' : null }));
    const goals = goalsOf({ ordinary, withCondition }, 200);
    expect(goals).toHaveLength(8);
    for (const g of goals) {
      if (g.measured === null) {
        expect(g.interval).toBeNull();
        continue;
      }
      expect(g.interval).not.toBeNull();
      const [lo, hi] = g.interval!;
      expect(lo).toBeLessThanOrEqual(g.measured);
      expect(hi).toBeGreaterThanOrEqual(g.measured);
    }
    const goal = (name: string) => goals.find((g) => g.goal.startsWith(name))!;
    expect(goal('false alarms on healthy device-days with a condition')).toMatchObject({ measured: 0.1 });
    expect(goal('false alarms on healthy device-days with a condition').interval![1]).toBeGreaterThan(0.1);
    expect(goal('false alarms on healthy device-days').measured).toBeCloseTo(1 / 90, 12);
    expect(goal('visible faults named').measured).toBeCloseTo(0.6, 12);
    expect(goal('partial_shading named')).toMatchObject({ measured: null, interval: null, pass: null });
    expect(RESAMPLES).toBe(1000);
  });

  it('compares two runs on the same plan over the same arrays: a change of a few faults is told apart where each figure\'s own interval is wide', () => {
    // 200 arrays of 3 faulty days, one in four arrays missed all along; after, 10 of those arrays named on one day
    const before = Array.from({ length: 200 }, (_, a) => [1, 2, 3].map((d) => outcome(1, d, `PV-${a}`, fault(a % 4 !== 0)))).flat();
    const gained = new Set(Array.from({ length: 10 }, (_, k) => `PV-${4 * k}`));
    const after = before.map((o) => (gained.has(o.deviceId) && o.plantDay.includes('day 2') ? { ...o, ...fault(true) } : o));
    expect(namedRate(after)! - namedRate(before)!).toBeCloseTo(10 / 600, 12);
    expect(pairedInterval(before, before, namedRate)).toEqual([0, 0]);
    const [lo, hi] = pairedInterval(before, after, namedRate)!;
    expect(lo).toBeGreaterThan(0);
    expect(hi).toBeGreaterThanOrEqual(10 / 600);
    // each run's own interval is several times as wide as the difference's
    const [lb, hb] = arrayInterval(before, namedRate)!;
    expect(hb - lb).toBeGreaterThan(3 * (hi - lo));
    expect(pairedInterval([], [], namedRate)).toBeNull();
  });
});
