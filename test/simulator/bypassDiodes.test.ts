/** Sub-module bypass diodes (issue 20): a module of k sub-strings, each with its own diode. */
import { createHash } from 'node:crypto';
import { parseDesign, type Design } from '../../contracts/design';
import { NO_CONDITIONS } from '../../detector/simulator/conditions';
import { applyFault, type FaultSpec } from '../../detector/simulator/faults';
import { Rng } from '../../detector/simulator/random';
import { DEFAULT_DESIGN, plantConfig, simulatePlantDay, type PlantConfig } from '../../detector/simulator/plant';
import { arrayCurve, powerScan, subStringParams, type ArrayCurve, type ArrayLayout, type StringCondition } from '../../detector/simulator/array';
import { DEFAULT_LAYOUT, DEFAULT_MODULE } from '../../detector/simulator/plant';
import type { DeviceDay } from '../../detector/simulator/device';
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

describe('partial shading falls on sub-strings', () => {
  const hour = 3_600_000;
  const spec = (fraction: number): FaultSpec => ({
    fault: 'partial_shading',
    onsetMs: 0,
    presentAtStart: false,
    repairMs: 10 * hour,
    string: 1,
    severity: { modules: 1, strings: 1, fraction },
    intermittent: false,
    on: new Uint8Array([1]),
    shading: [{ string: 1, module: 2, startMs: 0, endMs: 2 * hour }],
  });
  const shadeOf = (fraction: number, k: number) => {
    const conds: (StringCondition | null)[] = [null, null, null];
    // an hour into the shadow: past its 5-min soft edge
    expect(applyFault(spec(fraction), 0, hour, 0.8, new Rng(1, 'test'), conds, k)).toBe(true);
    expect(conds[0]).toBeNull();
    return conds[1]!;
  };

  it('one diode: the whole module, as before (irradianceScale)', () => {
    const cond = shadeOf(0.5, 1);
    expect(cond.subStringScale).toBeUndefined();
    expect(Array.from(cond.irradianceScale!)).toEqual([1, 1, 1 - 0.5 * 0.8]);
  });

  it.each([
    [0.3, 3, 1],
    [0.5, 3, 2],
    [0.9, 3, 3],
    [0.3, 2, 1],
    [0.6, 4, 3],
  ])('a shadow blocking %p of the beam covers the first ceil(f·k) sub-strings of the module (k = %i: %i)', (fraction, k, covered) => {
    const cond = shadeOf(fraction, k);
    expect(cond.irradianceScale).toBeUndefined();
    const want = new Array<number>(3 * k).fill(1);
    for (let j = 0; j < covered; j++) want[2 * k + j] = 1 - fraction * 0.8;
    expect(Array.from(cond.subStringScale!)).toEqual(want);
  });
});

/** A fingerprint of a plant-day's readings (every column's doubles) and energies. */
function fingerprint(config: PlantConfig): string {
  const h = createHash('sha256');
  for (const d of simulatePlantDay(config).devices()) {
    for (const [k, v] of Object.entries(d.readings)) {
      h.update(k);
      if (v instanceof Float64Array) h.update(Buffer.from(v.buffer, v.byteOffset, v.byteLength));
      else h.update(JSON.stringify(v));
    }
    h.update(JSON.stringify(d.truth.energyWh));
  }
  return h.digest('hex').slice(0, 16);
}

describe('one diode per module: the simulator as before', () => {
  // Recorded with this fingerprint on a70ac4d, before sub-module diodes: the mismatch paths (shading, shorts,
  // partial snow under a shadow) of the default design and of a 16 × 2 design. Doubles are V8's own
  // arithmetic and Math (test/simulator/design.test.ts says why that is the same on any x86-64).
  it.each([
    ['default design: shading, line-line, line-ground', plantConfig({ date: '2026-06-21', devices: 12, seed: 3, faultMix: { normal: 1, partial_shading: 3, line_line: 1, line_ground: 1 } }), 'af46bb0751dee377'],
    ['default design: shading under partial snow', plantConfig({ date: '2026-01-15', devices: 6, seed: 5, sky: 'clear', faultMix: { partial_shading: 1 }, conditions: { ...NO_CONDITIONS, force: ['snow'] } }), '6fd77ad37788b809'],
    ['poly-16x2-cs6p-250p: shading, line-line', plantConfig({ date: '2026-06-21', devices: 6, seed: 7, design: parseDesign('poly-16x2-cs6p-250p'), faultMix: { partial_shading: 2, line_line: 1 } }), 'ae2351b5164bdd35'],
  ])('%s: the readings are those recorded before, bit for bit', (_name, config, want) => {
    expect(fingerprint(config)).toBe(want);
  });
});

describe('a plant of 3-diode modules', () => {
  const three: Design = parseDesign({ modulesPerString: 5, strings: 3, module: 'Canadian Solar CS5P-220M (CEC MM106, pvlib test parameters)', bypassDiodes: { perModule: 3, forwardVoltage: 0.45 } });
  const days = (design: Design, faultMix: PlantConfig['faultMix']): DeviceDay[] => [...simulatePlantDay(plantConfig({ date: '2026-06-21', devices: 8, seed: 4, sky: 'clear', faultMix, design })).devices()];

  it('is the default design but for the diodes', () => {
    expect(three.layout).toEqual({ ...DEFAULT_DESIGN.layout, bypassDiodes: 3 });
    expect(three.module).toEqual(DEFAULT_DESIGN.module);
  });

  it('healthy arrays under uniform light make the same readings as with one diode, bit for bit', () => {
    const config = { date: '2026-06-21', devices: 4, seed: 4, faultMix: { normal: 1 } };
    expect(fingerprint(plantConfig({ ...config, design: three }))).toBe(fingerprint(plantConfig({ ...config, design: DEFAULT_DESIGN })));
  });

  it('partly shaded arrays make more energy where the shadow leaves a sub-string lit (f ≤ 2/3)', () => {
    const one = days(DEFAULT_DESIGN, { partial_shading: 1 });
    const many = days(three, { partial_shading: 1 });
    let gain = 0;
    let partial = 0;
    one.forEach((d, i) => {
      expect(many[i]!.truth.severity).toEqual(d.truth.severity);
      if ((d.truth.severity.fraction as number) > 2 / 3) return;
      partial++;
      gain += many[i]!.truth.energyWh - d.truth.energyWh;
    });
    expect(partial).toBeGreaterThanOrEqual(3);
    expect(gain).toBeGreaterThan(0);
  });
});
