/** Sub-module bypass diodes (issue 20): a module of k sub-strings, each with its own diode. */
import { arrayCurve, powerScan, subStringParams, type ArrayCurve, type ArrayLayout, type StringCondition } from '../../detector/simulator/array';
import { DEFAULT_LAYOUT, DEFAULT_MODULE } from '../../detector/simulator/plant';
import { calcParamsDesoto, keyPoints, voltageAt } from '../../detector/simulator/singleDiode';

const G = 900;
const T = 45;
const base = calcParamsDesoto(G, T, DEFAULT_MODULE);
const scaled = (s: number) => calcParamsDesoto(G * s, T, DEFAULT_MODULE);
const withDiodes = (k: number): ArrayLayout => ({ ...DEFAULT_LAYOUT, bypassDiodes: k });
const curveOf = (k: number, strings: (StringCondition | null)[]) => arrayCurve(withDiodes(k), base, strings, scaled);
const mod = keyPoints(base);

/** The bus voltage at which the array delivers `amps` (bisection on the falling I(V)). */
function voltageFor(curve: ArrayCurve, amps: number): number {
  let lo = 0;
  let hi = curve.vOc;
  for (let it = 0; it < 60; it++) {
    const mid = (lo + hi) / 2;
    if (curve.current(mid) > amps) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** A sub-string scale for a string of 5 modules × k: `scale` on the listed (module, sub-string) pairs. */
function subScales(k: number, shaded: [number, number][], scale: number): number[] {
  const out = new Array<number>(DEFAULT_LAYOUT.nSeries * k).fill(1);
  for (const [m, j] of shaded) out[m * k + j] = scale;
  return out;
}

describe('sub-string diode parameters', () => {
  it('one diode: the module itself', () => {
    expect(subStringParams(base, 1)).toBe(base);
  });

  it.each([2, 3, 4])('k = %i sub-strings in series make the module curve (pvlib scaling: a, Rs, Rsh / k; IL, I0 kept)', (k) => {
    const sub = subStringParams(base, k);
    expect(sub.photocurrent).toBe(base.photocurrent);
    expect(sub.saturationCurrent).toBe(base.saturationCurrent);
    expect(sub.nNsVth).toBeCloseTo(base.nNsVth / k, 15);
    let worst = 0;
    for (let i = 0; i <= base.photocurrent; i += base.photocurrent / 200) worst = Math.max(worst, Math.abs(k * voltageAt(sub, i) - voltageAt(base, i)));
    expect(worst).toBeLessThan(1e-9);
  });
});

describe('uniform light: the module curve does not depend on the diodes', () => {
  const healthy1 = curveOf(1, []);

  it('a healthy array is the same closed form, bit for bit', () => {
    const healthy3 = curveOf(3, []);
    expect(healthy3.vOc).toBe(healthy1.vOc);
    for (let v = 0; v <= healthy1.vOc; v += 2.5) expect(healthy3.current(v)).toBe(healthy1.current(v));
  });

  it.each([0.8, 0.5])('a string dimmed evenly to %p (the tabulated path) matches the one-diode curve within 0.05 % of Isc', (s) => {
    const dim = [s, s, s, s, s];
    const one = curveOf(1, [{ irradianceScale: dim }, null, null]);
    for (const k of [2, 3, 4]) {
      const many = curveOf(k, [{ irradianceScale: dim }, null, null]);
      const even = curveOf(k, [{ subStringScale: new Array<number>(5 * k).fill(s) }, null, null]);
      expect(many.vOc).toBeCloseTo(one.vOc, 9);
      for (let v = 0; v < one.vOc; v += 1) {
        expect(Math.abs(many.current(v) - one.current(v))).toBeLessThan(0.0005 * one.current(0));
        // the same tabulation; the healthy strings' warm-started Newton (stopping at ~1 nA) differs with the call history
        expect(even.current(v)).toBeCloseTo(many.current(v), 7);
      }
    }
  });
});

describe('a shadow on one sub-string of one module', () => {
  const shade = 0.2;
  const oneModule = { irradianceScale: [shade, 1, 1, 1, 1] };
  const oneSubString = { subStringScale: subScales(3, [[0, 0]], shade) };

  it('with 3 diodes costs about a third of the module voltage (plus one diode drop), with 1 diode all of it', () => {
    const healthy = curveOf(1, []);
    const iMp = 3 * mod.iMp;
    const vHealthy = voltageFor(healthy, iMp);
    const vModule = voltageAt(base, mod.iMp);
    const lost1 = vHealthy - voltageFor(curveOf(1, [oneModule, oneModule, oneModule]), iMp);
    const lost3 = vHealthy - voltageFor(curveOf(3, [oneSubString, oneSubString, oneSubString]), iMp);
    expect(lost1).toBeCloseTo(vModule + DEFAULT_LAYOUT.vBypass, 0);
    expect(lost3).toBeCloseTo(vModule / 3 + DEFAULT_LAYOUT.vBypass, 0);
    expect(lost3 / lost1).toBeGreaterThan(0.3);
    expect(lost3 / lost1).toBeLessThan(0.36);
  });

  it('with 3 diodes the array keeps more power than with 1', () => {
    const peak = (c: ArrayCurve) => Math.max(...powerScan(c).maxima.map((m) => m.p));
    const p1 = peak(curveOf(1, [oneModule, null, null]));
    const p3 = peak(curveOf(3, [oneSubString, null, null]));
    const healthy = peak(curveOf(1, []));
    expect(p3).toBeGreaterThan(1.05 * p1);
    expect(p3).toBeLessThan(healthy);
    // the string loses a sub-string rather than a module: the high peak survives near the healthy MPP voltage
    expect(powerScan(curveOf(3, [oneSubString, null, null])).maxima).toHaveLength(1);
  });

  it('a whole module shaded (all of its sub-strings) is the one-diode case, with k diode drops instead of one', () => {
    const all = { subStringScale: subScales(3, [[0, 0], [0, 1], [0, 2]], shade) };
    const iMp = 3 * mod.iMp;
    const v1 = voltageFor(curveOf(1, [oneModule, oneModule, oneModule]), iMp);
    const v3 = voltageFor(curveOf(3, [all, all, all]), iMp);
    expect(v1 - v3).toBeCloseTo(2 * DEFAULT_LAYOUT.vBypass, 1);
  });
});

describe('shorts span whole modules', () => {
  it('a line-line short across 2 modules removes their voltage whatever the diodes', () => {
    const cond: StringCondition = { short: { first: 1, count: 2, resistance: 0.01 } };
    const ll1 = curveOf(1, [cond, null, null]);
    const ll3 = curveOf(3, [cond, null, null]);
    const healthy = curveOf(1, []);
    const v = 0.8 * healthy.vOc;
    expect(ll3.current(v)).toBeCloseTo((2 / 3) * healthy.current(v), 6);
    const [low1] = powerScan(ll1).maxima;
    const [low3] = powerScan(ll3).maxima;
    expect(low3!.p / low1!.p).toBeCloseTo(1, 2);
  });
});
