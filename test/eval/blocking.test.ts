/** When a leak to ground blocks its string (detector/eval/blocking.ts), how hard it pulls on its modules (leakDraw), and the evaluation's leaks by both (summary.ts leakRows, leakDrawRows). */
import { parseDesign } from '../../contracts/design';
import { blockedShare, dayLeakDraw, leakBlocksString, leakDraw, maxPower, trackedPower } from '../../detector/eval/blocking';
import { shortBlocksString } from '../../detector/eval/decision';
import type { Outcome } from '../../detector/eval/outcome';
import type { DeviceDayRecord } from '../../detector/eval/records';
import { leakDrawLines } from '../../detector/eval/markdown';
import { leakDrawRows, leakRows } from '../../detector/eval/summary';
import { moduleStc } from '../../detector/simulator/registry';
import { arrayCurve, powerScan } from '../../detector/simulator/array';
import { DEFAULT_DESIGN } from '../../detector/simulator/plant';
import { calcParamsDesoto } from '../../detector/simulator/singleDiode';

const leak = (count: number, resistance: number) => ({ first: 0, count, resistance });

describe('a leak to ground and its string', () => {
  it('a low resistance under most of the string blocks it; a small leak over one module never does', () => {
    // 4 of 5 modules over 20 Ω: ~11 A at the node's voltage, more than the modules make: they collapse
    for (const g of [150, 400, 800, 1000]) expect(leakBlocksString(DEFAULT_DESIGN, leak(4, 20), g, 25 + g * 0.03)).toBe(true);
    // one module over 200 Ω (~0.3 A): the string keeps all but a little of its voltage
    for (const g of [150, 400, 800, 1000]) expect(leakBlocksString(DEFAULT_DESIGN, leak(1, 200), g, 25 + g * 0.03)).toBe(false);
  });

  it('a dim sky blocks a string a bright one does not: less current holds less voltage up against the resistance', () => {
    expect(leakBlocksString(DEFAULT_DESIGN, leak(3, 45), 150, 25)).toBe(true);
    expect(leakBlocksString(DEFAULT_DESIGN, leak(3, 45), 1000, 50)).toBe(false);
  });

  it('blocked means the array makes what it makes with the string open, and not blocked that the string adds power', () => {
    const power = (cond: object | null, g: number, t: number) => {
      const base = calcParamsDesoto(g, t, DEFAULT_DESIGN.module);
      const c = arrayCurve(DEFAULT_DESIGN.layout, base, [cond as never, null, null], (s) => calcParamsDesoto(g * s, t, DEFAULT_DESIGN.module));
      return Math.max(...powerScan(c, 1000).watts);
    };
    const open = power({ open: true }, 400, 37.5);
    expect(power({ short: leak(4, 20) }, 400, 37.5) / open).toBeLessThan(1.002);
    expect(power({ short: leak(1, 200) }, 400, 37.5) / open).toBeGreaterThan(1.3);
  });

  it("counts the acting daylight windows it blocked in, at each one's measured irradiance and temperature", () => {
    const windows = ['low_irradiance', null, null, null, null, 'low_irradiance'].map((skipReason) => ({ skipReason }));
    const active = [64, 64, 64, 64, 0, 64];
    // per predicted window: voltage, current, temperature, irradiance; the fourth does not act, the first is too dim to judge
    const means = Float64Array.from([0, 0, 20, 10, 0, 0, 25, 150, 0, 0, 50, 1000, 0, 0, 30, 300]);
    expect(blockedShare(DEFAULT_DESIGN, leak(3, 45), windows, active, means)).toBe(0.5);
    expect(blockedShare(DEFAULT_DESIGN, leak(3, 45), windows, active, undefined)).toBeNull();
    expect(blockedShare(DEFAULT_DESIGN, leak(3, 45), windows, [0, 64, 0, 0, 0, 0], means)).toBeNull();
  });

  it('the evaluation groups visible leaks by how much of their day they blocked, with what they were called', () => {
    const o = (blockedShare: number | null, alarm: string | null, named: boolean, visible = true) => ({ fault: 'line_ground', visible, blockedShare, alarm, named, ownClass: named, delayMin: named ? 21 : null }) as unknown as Outcome;
    const rows = leakRows([o(0, 'line_ground', true), o(0, null, false), o(0.25, 'line_ground', true), o(1, 'string_blocked', false), o(1, 'string_blocked', false), o(0.7, 'line_ground', true), o(null, 'line_ground', true), o(1, null, false, false)]);
    expect(Object.keys(rows)).toEqual(['never blocked', 'blocked in under half its windows', 'blocked in half or more', 'blocked all day']);
    expect(rows['never blocked']).toMatchObject({ visible: 2, named: 1, calledAs: { line_ground: 1, none: 1 } });
    expect(rows['blocked all day']).toMatchObject({ visible: 2, named: 0, calledAs: { string_blocked: 2 } });
    expect(rows['blocked in half or more']!.visible).toBe(1);
  });

  it("a leak's draw is its current at the node's maximum-power voltage over the modules' maximum-power current: the same ohms pull far harder on a CdTe module", () => {
    const cdte = parseDesign('cdte-4x4-fs-6385');
    const d = moduleStc(DEFAULT_DESIGN.module);
    const c = moduleStc(cdte.module);
    expect(leakDraw(DEFAULT_DESIGN, leak(2, 40))).toBeCloseTo((2 * d.vMp) / (40 * d.iMp), 12);
    // the default module is ~10 Ω at its maximum power point (46.9 V, 4.69 A), the CdTe one ~77 Ω (172.8 V, 2.23 A)
    expect(d.vMp / d.iMp).toBeGreaterThan(9);
    expect(d.vMp / d.iMp).toBeLessThan(11);
    expect(c.vMp / c.iMp).toBeGreaterThan(70);
    expect(c.vMp / c.iMp).toBeLessThan(85);
    // the simulator's leaks (20–200 Ω over one module) stay under 1 on the default design, and reach ~4 on CdTe
    expect(leakDraw(DEFAULT_DESIGN, leak(1, 20))).toBeLessThan(1);
    expect(leakDraw(cdte, leak(1, 20))).toBeGreaterThan(3);
    const record = (fault: string) => ({ truth: { fault, severity: leak(1, 26) } }) as unknown as Pick<DeviceDayRecord, 'truth'>;
    expect(dayLeakDraw(record('line_ground'), cdte)).toBeCloseTo(leakDraw(cdte, leak(1, 26)), 12);
    expect(dayLeakDraw(record('line_line'), cdte)).toBeNull();
    expect(dayLeakDraw({ truth: { fault: 'line_ground', severity: {} } } as unknown as Pick<DeviceDayRecord, 'truth'>, cdte)).toBeNull();
  });

  it("blocked is judged where the tracker settles, on the healthy strings' hill, not at a weak string's own maximum lower down", () => {
    const cdte = parseDesign('cdte-4x4-fs-6385');
    const faulty = (cond: object) => [cond as never, null, null, null];
    const oneShorted = faulty({ short: { first: 0, count: 1, resistance: 0.5 } });
    for (const [g, t] of [[150, 25], [400, 35], [800, 45], [1000, 60]] as const) {
      const open = maxPower(cdte, faulty({ open: true }), g, t);
      // three modules of a CdTe string (3 × 214 V) do not reach the healthy strings' maximum (4 × 173 V): the
      // tracker there reads the open string's power, though lower down the voltage the array could make 5–11 % more
      expect(trackedPower(cdte, oneShorted, g, t) / open).toBeLessThan(1.002);
      expect(maxPower(cdte, oneShorted, g, t) / open).toBeGreaterThan(1.05);
      expect(maxPower(cdte, oneShorted, g, t) / open).toBeLessThan(1.11);
      expect(leakBlocksString(cdte, { first: 0, count: 1, resistance: 0.5 }, g, t)).toBe(true);
      // a healthy array has one hill: the tracker is at its top
      expect(trackedPower(cdte, [null, null, null, null], g, t)).toBe(maxPower(cdte, [null, null, null, null], g, t));
    }
    expect(shortBlocksString(1, cdte)).toBe(true);
  });

  it('a CdTe leak that draws more than its module makes blocks its string in dim light and leaves it conducting with less of that module in bright light', () => {
    const cdte = parseDesign('cdte-4x4-fs-6385');
    expect(leakDraw(cdte, leak(1, 30))).toBeGreaterThan(2);
    expect(leakBlocksString(cdte, leak(1, 30), 150, 25)).toBe(true);
    expect(leakBlocksString(cdte, leak(1, 30), 1000, 60)).toBe(false);
    const faulty = (cond: object) => [cond as never, null, null, null];
    const open = maxPower(cdte, faulty({ open: true }), 1000, 60);
    // in bright light it adds about half of what a leak of 150 Ω over the same module adds (a healthy string adds a third)
    const added = (r: number) => trackedPower(cdte, faulty({ short: leak(1, r) }), 1000, 60) / open - 1;
    expect(added(30)).toBeGreaterThan(0.1);
    expect(added(30)).toBeLessThan(0.75 * added(150));
    expect(added(150)).toBeLessThan(1 / 3);
  });

  it('the evaluation groups the visible leaks by draw, with what they were called', () => {
    const o = (leakDraw: number | null | undefined, blockedShare: number | null, alarm: string | null, visible = true) => ({ fault: 'line_ground', visible, blockedShare, leakDraw, alarm, named: alarm === 'line_ground', ownClass: alarm === 'line_ground', delayMin: alarm === 'line_ground' ? 21 : null }) as unknown as Outcome;
    const rows = leakDrawRows([o(0.2, 0, 'line_ground'), o(0.49, 0, null), o(0.5, 0, 'line_ground'), o(1.5, 0, 'line_line'), o(2, 0, 'line_line'), o(3, 0.4, 'line_ground'), o(3, null, 'line_line'), o(1.2, 0, 'line_line', false), o(undefined, 0, 'line_ground'), o(Number.NaN, 0, 'line_ground')]);
    expect(Object.keys(rows)).toEqual(['under 0.5', '0.5–1', '1–2', '2 or more']);
    expect(rows['under 0.5']).toMatchObject({ visible: 2, named: 1, calledAs: { line_ground: 1, none: 1 } });
    expect(rows['0.5–1']).toMatchObject({ visible: 1, named: 1 });
    expect(rows['1–2']).toMatchObject({ visible: 1, named: 0, calledAs: { line_line: 1 } });
    expect(rows['2 or more']).toMatchObject({ visible: 3, named: 1, calledAs: { line_line: 2, line_ground: 1 } });
    const lines = leakDrawLines({ leaksByDraw: { 'cdte-4x4-fs-6385': rows } });
    expect(lines).toContain('| design | draw | visible | named | as line_ground | as line_line | as string_blocked | as open_circuit | as none |');
    expect(lines).toContain('| cdte-4x4-fs-6385 | 1–2 | 1 | 0.0 % | 0 | 1 | 0 | 0 | 0 |');
    expect(lines).toContain('| cdte-4x4-fs-6385 | 2 or more | 3 | 33.3 % | 1 | 2 | 0 | 0 | 0 |');
    expect(leakDrawLines({})).toEqual([]);
  });
});
