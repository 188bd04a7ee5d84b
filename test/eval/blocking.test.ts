/** When a leak to ground blocks its string (detector/eval/blocking.ts), and the evaluation's leaks by blocking (summary.ts leakRows). */
import { blockedShare, leakBlocksString } from '../../detector/eval/blocking';
import type { Outcome } from '../../detector/eval/outcome';
import { leakRows } from '../../detector/eval/summary';
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
});
