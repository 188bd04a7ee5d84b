/** The array model's physics: each fault's signature on the I-V curve, and the tracker on it. */
import { arrayCurve, powerScan, UniformArray, type StringCondition } from '../../detector/simulator/array';
import { PerturbAndObserve } from '../../detector/simulator/mppt';
import { DEFAULT_LAYOUT, DEFAULT_MODULE } from '../../detector/simulator/plant';
import { calcParamsDesoto, keyPoints, voltageAt } from '../../detector/simulator/singleDiode';

const G = 900;
const T = 45;
const layout = DEFAULT_LAYOUT;
const base = calcParamsDesoto(G, T, DEFAULT_MODULE);
const scaled = (s: number) => calcParamsDesoto(G * s, T, DEFAULT_MODULE);
const curveOf = (strings: (StringCondition | null)[]) => arrayCurve(layout, base, strings, scaled);
const healthy = curveOf([]);
const mod = keyPoints(base);

describe('healthy array', () => {
  it('is the module curve scaled by 5 in series and 3 in parallel', () => {
    for (const v of [0, 50, 150, 200, 250]) {
      const moduleV = (v + layout.vBlock) / layout.nSeries;
      expect(healthy.current(v)).toBeCloseTo(3 * Math.max(0, calcCurrent(moduleV)), 6);
    }
    expect(healthy.vOc).toBeCloseTo(5 * mod.vOc - layout.vBlock, 6);
    const { maxima } = powerScan(healthy);
    expect(maxima).toHaveLength(1);
    expect(maxima[0]!.p).toBeGreaterThan(0.995 * 15 * mod.pMp - 3 * layout.vBlock * mod.iMp - 5);
  });

  it('the reusable uniform curve equals the general one', () => {
    const u = new UniformArray(layout);
    u.update(base);
    for (const v of [0, 100, 200, 240, healthy.vOc]) expect(u.current(v)).toBeCloseTo(healthy.current(v), 6);
    expect(u.vOc).toBeCloseTo(healthy.vOc, 9);
  });

  it('tabulating a string (the mismatch path) agrees with the closed form within 0.2 %', () => {
    const tab = curveOf([{ irradianceScale: [1, 1, 1, 1, 0.9999999] }, null, null]);
    for (let v = 0; v < healthy.vOc; v += 5) {
      expect(Math.abs(tab.current(v) - healthy.current(v))).toBeLessThanOrEqual(0.002 * healthy.current(0) + 1e-6);
    }
  });
});

function calcCurrent(moduleV: number): number {
  const u = new UniformArray({ ...layout, nSeries: 1, nStrings: 1, vBlock: 0 });
  u.update(base);
  return u.current(moduleV);
}

describe('fault signatures on the I-V curve', () => {
  it('open circuit: the current drops by exactly one string share at equal voltage; Voc unchanged', () => {
    const open = curveOf([{ open: true }, null, null]);
    for (const v of [0, 80, 160, 200, 230]) expect(open.current(v)).toBeCloseTo((2 / 3) * healthy.current(v), 9);
    expect(open.vOc).toBeCloseTo(healthy.vOc, 9);
  });

  it('partial shading: bypass diodes make two local power maxima', () => {
    const shaded = curveOf([{ irradianceScale: [0.3, 0.3, 1, 1, 1] }, null, null]);
    const { maxima } = powerScan(shaded);
    expect(maxima).toHaveLength(2);
    const [low, high] = maxima;
    expect(low!.v).toBeLessThan(high!.v);
    expect(Math.max(low!.p, high!.p)).toBeLessThan(powerScan(healthy).maxima[0]!.p);
  });

  it('partial shading: a shaded module is held at the bypass diode drop, not driven into deep reverse bias', () => {
    const shaded = calcParamsDesoto(G * 0.2, T, DEFAULT_MODULE);
    // at the unshaded modules' current the shaded one would be far negative without its bypass diode
    expect(voltageAt(shaded, base.photocurrent * 0.9)).toBeLessThan(-layout.vBypass);
    const oneShaded = curveOf([{ irradianceScale: [0.2, 1, 1, 1, 1] }, { irradianceScale: [0.2, 1, 1, 1, 1] }, { irradianceScale: [0.2, 1, 1, 1, 1] }]);
    // at the healthy array's MPP current the string still makes ≈ 4 modules' voltage minus one bypass drop
    const v4 = 4 * voltageAt(base, mod.iMp) - layout.vBypass - layout.vBlock;
    expect(oneShaded.current(v4) / 3).toBeCloseTo(mod.iMp, 1);
  });

  it('line-line: a short across 2 modules removes their voltage from one string; a second peak appears', () => {
    const ll = curveOf([{ short: { first: 1, count: 2, resistance: 0.01 } }, null, null]);
    const { maxima } = powerScan(ll);
    expect(maxima).toHaveLength(2);
    // the low peak sits near 3/5 of the healthy MPP voltage, where all three strings still deliver
    const healthyMpp = powerScan(healthy).maxima[0]!;
    expect(maxima[0]!.v / healthyMpp.v).toBeGreaterThan(0.5);
    expect(maxima[0]!.v / healthyMpp.v).toBeLessThan(0.7);
    // above the shorted string's own open-circuit voltage only two strings conduct
    const v = 0.8 * healthy.vOc;
    expect(ll.current(v)).toBeCloseTo((2 / 3) * healthy.current(v), 6);
  });

  it('line-ground: a leak through the fault resistance that grows with the operating voltage', () => {
    const r = 100;
    const lg = curveOf([{ short: { first: 0, count: 3, resistance: r } }, null, null]);
    const deficit = (v: number) => healthy.current(v) - lg.current(v);
    const vMp = powerScan(healthy).maxima[0]!.v;
    expect(deficit(vMp)).toBeGreaterThan(deficit(0.5 * vMp));
    expect(deficit(0.25 * vMp)).toBeLessThan(0.1);
    // at the MPP, roughly the faulted segment's voltage (3 of 5 modules) over R leaks away
    const naiveLeak = ((3 / 5) * (vMp + layout.vBlock)) / r;
    expect(deficit(vMp)).toBeGreaterThan(0.5 * naiveLeak);
    expect(deficit(vMp)).toBeLessThan(1.2 * naiveLeak);
    // unlike a bolted line-line short, the string keeps conducting and Voc is unchanged
    expect(lg.current(0.9 * healthy.vOc)).toBeGreaterThan((2 / 3) * healthy.current(0.9 * healthy.vOc));
    expect(lg.vOc).toBeCloseTo(healthy.vOc, 6);
  });

  it('arc fault: the series arc voltage is lost from the faulty string', () => {
    const arc = curveOf([{ arcVoltage: 25 }, null, null]);
    const v = 150;
    // the faulty string behaves as if the bus were 25 V higher
    const stringShare = healthy.current(v + 25) / 3;
    expect(arc.current(v)).toBeCloseTo((2 / 3) * healthy.current(v) + stringShare, 6);
    expect(powerScan(arc).maxima[0]!.p).toBeLessThan(powerScan(healthy).maxima[0]!.p);
  });
});

describe('perturb-and-observe MPPT', () => {
  const track = (curve: ReturnType<typeof curveOf>, tracker: PerturbAndObserve, readings = 30) => {
    const op = { voltage: 0, current: 0 };
    for (let k = 0; k < readings; k++) tracker.track(curve, G, op);
    return op;
  };

  it('settles within 1 % of the maximum power of a healthy array', () => {
    const op = track(healthy, new PerturbAndObserve(2, 16, 15));
    expect(op.voltage * op.current).toBeGreaterThan(0.99 * powerScan(healthy).maxima[0]!.p);
  });

  it('locks onto the local maximum it starts near under partial shading, as real trackers do', () => {
    const shaded = curveOf([{ irradianceScale: [0.3, 0.3, 1, 1, 1] }, { irradianceScale: [0.3, 0.3, 1, 1, 1] }, null]);
    const { maxima } = powerScan(shaded);
    expect(maxima).toHaveLength(2);
    const [globalPeak, localPeak] = [...maxima].sort((a, b) => b.p - a.p);
    const tracker = new PerturbAndObserve(2, 16, 15);
    tracker.startAt(localPeak!.v);
    const op = track(shaded, tracker);
    expect(Math.abs(op.voltage - localPeak!.v)).toBeLessThan(6);
    expect(op.voltage * op.current).toBeLessThan(0.97 * globalPeak!.p);
  });

  it('sleeps below its wake-up irradiance, leaving the array at open circuit', () => {
    const op = new PerturbAndObserve(2, 16, 15).track(healthy, 10, { voltage: 0, current: 0 });
    expect(op).toEqual({ voltage: healthy.vOc, current: 0 });
  });
});
