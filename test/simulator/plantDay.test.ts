/** A simulated plant day: energy, determinism, fault signatures, sensor faults, the reading contract. */
import { FAULT_CLASSES, GRID_STEP_MS, validateReading, type FaultClass } from '../../contracts';
import { LEAK_GROUPS, severityGroup } from '../../detector/dataset';
import type { DeviceDay } from '../../detector/simulator/device';
import { DEFAULT_MODULE, faultAndTwin, plantConfig, simulatePlantDay } from '../../detector/simulator/plant';
import { DEFAULT_SENSOR_RATES, NO_SENSOR_ISSUES, type SensorRates } from '../../detector/simulator/sensors';
import { calcParamsDesoto, keyPoints } from '../../detector/simulator/singleDiode';
import type { SkyType } from '../../detector/simulator/weather';
import { plantDayWindow } from '../../contracts/plantDay';

const PEAK_WATTS = 15 * keyPoints(calcParamsDesoto(1000, 25, DEFAULT_MODULE)).pMp;

/**
 * A device and its healthy twin: same weather, modules, sensors and noise; only the fault differs.
 * `where` picks the case: the first seed from `seed` on whose faulty device-day satisfies it.
 */
function twins(fault: FaultClass, opts: { date?: string; sky?: SkyType; seed?: number; sensorRates?: SensorRates; where?: (day: DeviceDay) => boolean } = {}): [DeviceDay, DeviceDay] {
  const first = opts.seed ?? 11;
  for (let seed = first; seed < first + 30; seed++) {
    const config = plantConfig({ date: opts.date ?? '2026-06-21', devices: 1, seed, sky: opts.sky ?? 'clear', sensorRates: opts.sensorRates ?? NO_SENSOR_ISSUES, noiseLevel: [1, 1], keepSeries: true });
    const pair = faultAndTwin(config, fault);
    if (!opts.where || opts.where(pair[0])) return pair;
  }
  throw new Error(`no ${fault} device-day of seeds ${first}…${first + 29} is the case wanted`);
}

/** The fault acts in the early afternoon, under the highest sun (14:00 local on 21 June near Seville). */
const actsMidday = (day: DeviceDay): boolean => {
  const t = plantDayWindow('2026-06-21', 'Europe/Madrid').startMs + 14 * 3_600_000;
  return day.truth.active.some(([from, to]) => from <= t && t < to);
};

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Per-sample ratios fault/twin while the fault acts and there is real sun. */
function activeRatios(fault: DeviceDay, twin: DeviceDay): { v: number[]; i: number[]; p: number[] } {
  const f = fault.series!;
  const h = twin.series!;
  const out = { v: [] as number[], i: [] as number[], p: [] as number[] };
  for (let k = 0; k < f.voltage.length; k++) {
    if (f.faultActive[k] !== 1 || h.irradiance[k]! < 300 || h.current[k]! < 1) continue;
    out.v.push(f.voltage[k]! / h.voltage[k]!);
    out.i.push(f.current[k]! / h.current[k]!);
    out.p.push((f.voltage[k]! * f.current[k]!) / (h.voltage[k]! * h.current[k]!));
  }
  return out;
}

describe('energy', () => {
  it.each([
    ['2026-06-21', 5.5, 8],
    ['2026-12-21', 2.5, 6],
  ])('a clear %s yields a plausible energy per kWp, with a plausible performance ratio', (date, lo, hi) => {
    const [day] = twins('normal', { date });
    const s = day.series!;
    let insolationWh = 0;
    for (let k = 0; k < s.irradiance.length; k++) insolationWh += (s.irradiance[k]! * GRID_STEP_MS) / 3_600_000;
    const yieldPerKwp = day.truth.energyWh / PEAK_WATTS;
    expect(yieldPerKwp).toBeGreaterThan(lo);
    expect(yieldPerKwp).toBeLessThan(hi);
    // DC-side performance ratio: no wiring, soiling or inverter losses are modelled, and cold
    // winter modules beat their STC efficiency, so it may come close to 1 but not far beyond
    const performanceRatio = day.truth.energyWh / ((PEAK_WATTS * insolationWh) / 1000);
    expect(performanceRatio).toBeGreaterThan(0.75);
    expect(performanceRatio).toBeLessThan(1.05);
  });

  it('overcast days yield far less than clear days', () => {
    const clear = twins('normal', { sky: 'clear' })[0].truth.energyWh;
    const overcast = twins('normal', { sky: 'overcast' })[0].truth.energyWh;
    expect(overcast).toBeLessThan(0.6 * clear);
  });

  it('the array is dark at night: no current, no voltage', () => {
    const s = twins('normal', { date: '2026-11-19' })[0].series!;
    expect(s.current[0]).toBe(0);
    expect(s.voltage[0]).toBe(0);
    expect(s.irradiance[0]).toBe(0);
    expect(s.current[2160]).toBeGreaterThan(1); // noon
  });
});

describe('fault signatures over a day (against the healthy twin)', () => {
  it('normal: no fault, no onset, nothing active', () => {
    const [day] = twins('normal');
    expect(day.truth.active).toEqual([]);
    expect(day.truth.onsetMs).toBeNull();
  });

  it('open circuit: the current falls by one string share at about the same voltage', () => {
    const r = activeRatios(...twins('open_circuit', { where: actsMidday }));
    expect(r.i.length).toBeGreaterThan(100);
    expect(median(r.i)).toBeGreaterThan(0.6);
    expect(median(r.i)).toBeLessThan(0.72);
    expect(median(r.v)).toBeGreaterThan(0.97);
  });

  it('line-line: a short across two modules costs the array a string or those modules’ voltage', () => {
    const r = activeRatios(...twins('line_line', { where: (d) => actsMidday(d) && d.truth.severity.count === 2 }));
    expect(r.p.length).toBeGreaterThan(100);
    expect(median(r.p)).toBeLessThan(0.85);
    // either the voltage drops (low peak) or the current drops by a string (high peak)
    expect(Math.min(median(r.v), median(r.i))).toBeLessThan(0.85);
  });

  it('line-ground: a leak of 0.5 A or more, at about the same voltage, smaller than a whole string', () => {
    const r = activeRatios(...twins('line_ground', { where: (d) => actsMidday(d) && severityGroup(d.truth) !== LEAK_GROUPS[0] }));
    expect(r.p.length).toBeGreaterThan(100);
    expect(median(r.p)).toBeLessThan(0.99);
    expect(median(r.p)).toBeGreaterThan(0.6);
  });

  it('partial shading: acts only while the shadow is on the modules and the sun is out', () => {
    const [shaded, twin] = twins('partial_shading', { where: (d) => d.truth.active.length > 0 });
    expect(shaded.truth.active.length).toBeGreaterThan(0);
    expect(median(activeRatios(shaded, twin).p)).toBeLessThan(0.97);
    const [overcast] = twins('partial_shading', { sky: 'overcast' });
    // no beam to block under overcast skies: the shadow has no visible effect
    expect(overcast.truth.active).toEqual([]);
  });

  it('arc fault: lower voltage on the faulty string and an erratic current', () => {
    const [arc, twin] = twins('arc_fault', { seed: 3, where: actsMidday });
    const r = activeRatios(arc, twin);
    expect(r.i.length).toBeGreaterThan(50);
    const spread = (xs: number[]) => {
      const m = xs.reduce((a, b) => a + b, 0) / xs.length;
      return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
    };
    expect(spread(r.i)).toBeGreaterThan(0.03);
    expect(median(r.p)).toBeLessThan(0.98);
  });

  it.each(FAULT_CLASSES.filter((c) => c !== 'normal').map((c) => [c]))('%s: healthy before its onset', (fault) => {
    const [day, twin] = twins(fault as FaultClass, { seed: 5, where: (d) => !d.truth.presentAtStart });
    const onset = day.truth.onsetMs!;
    const onsetIndex = Math.round((onset - plantDayWindow('2026-06-21', 'Europe/Madrid').startMs) / GRID_STEP_MS);
    for (let k = 0; k < onsetIndex; k++) expect(day.series!.current[k]).toBe(twin.series!.current[k]);
    for (const [start] of day.truth.active) expect(start).toBeGreaterThanOrEqual(onset);
  });
});

describe('sensors and delivery: the bad inputs the ingest must survive', () => {
  const rates: SensorRates = { drop: 0.02, outagePerDay: 1, duplicate: 0.02, late: 0.01, stuckPerDay: 1, invalid: 0.005, jitterMs: 400 };
  const [day] = twins('normal', { sensorRates: rates, seed: 9 });
  const r = day.readings;
  const issues = day.truth.sensorIssues;
  const window = plantDayWindow('2026-06-21', 'Europe/Madrid');

  it('loses and duplicates exactly the readings the ground truth says', () => {
    expect(issues.dropped).toBeGreaterThan(0);
    expect(issues.duplicated).toBeGreaterThan(0);
    expect(r.count).toBe(4320 - issues.dropped + issues.duplicated);
    const seen = new Map<number, number>();
    for (let k = 0; k < r.count; k++) seen.set(r.timestamp[k]!, (seen.get(r.timestamp[k]!) ?? 0) + 1);
    expect([...seen.values()].filter((n) => n === 2)).toHaveLength(issues.duplicated);
  });

  it('delivers late readings after the others, flagged in the truth', () => {
    const late = new Set<number>();
    for (let k = 0; k < r.count; k++) if (r.publishMs[k]! - r.timestamp[k]! > 60_000) late.add(r.timestamp[k]!);
    expect(late.size).toBe(issues.late);
    for (let k = 1; k < r.count; k++) expect(r.publishMs[k]!).toBeGreaterThanOrEqual(r.publishMs[k - 1]!);
  });

  it('corrupts exactly the flagged number of readings, and those fail the contract', () => {
    const bad = new Set<number>();
    for (let k = 0; k < r.count; k++) {
      const v = validateReading({ deviceId: day.deviceId, timestamp: r.timestamp[k], voltage: r.voltage[k], current: r.current[k], temperature: r.temperature[k], irradiance: r.irradiance[k] });
      if (!v.ok) {
        expect(v.issues.every((i) => i.reason === 'non_finite' || i.reason === 'out_of_range')).toBe(true);
        bad.add(r.timestamp[k]!);
      }
    }
    expect(bad.size).toBe(issues.invalid);
  });

  it('holds a stuck channel at one value, and goes silent during an outage', () => {
    const stuck = issues.stuck[0]!;
    const values = new Set<number>();
    for (let k = 0; k < r.count; k++) if (r.timestamp[k]! > stuck.startMs + 5000 && r.timestamp[k]! < stuck.endMs - 5000 && Number.isFinite(r[stuck.channel][k]!)) values.add(r[stuck.channel][k]!);
    expect(values.size).toBeLessThanOrEqual(2); // the held value, and at most one corrupted-free edge reading
    const outage = issues.outages[0]!;
    for (let k = 0; k < r.count; k++) {
      const grid = Math.round((r.timestamp[k]! - window.startMs) / GRID_STEP_MS) * GRID_STEP_MS + window.startMs;
      expect(grid >= outage.startMs + GRID_STEP_MS && grid < outage.endMs - GRID_STEP_MS).toBe(false);
    }
  });

  it('keeps timestamps within a few seconds of the 20-s grid', () => {
    for (let k = 0; k < r.count; k++) {
      const offset = (r.timestamp[k]! - window.startMs) % GRID_STEP_MS;
      expect(Math.min(offset, GRID_STEP_MS - offset)).toBeLessThan(3000);
    }
  });
});

describe('plant day generator', () => {
  const config = plantConfig({ date: '2026-11-19', devices: 12, seed: 42, sensorRates: DEFAULT_SENSOR_RATES });

  it('is deterministic for a seed, and devices do not depend on how the fleet is split', () => {
    const all = [...simulatePlantDay(config).devices()];
    const again = [...simulatePlantDay(config).devices(7, 9)];
    expect(again.map((d) => d.deviceId)).toEqual(['PV-000008', 'PV-000009']);
    expect(Array.from(again[0]!.readings.current)).toEqual(Array.from(all[7]!.readings.current));
    expect(again[1]!.truth).toEqual(all[8]!.truth);
    const other = [...simulatePlantDay({ ...config, seed: 43 }).devices(7, 8)];
    expect(Array.from(other[0]!.readings.current)).not.toEqual(Array.from(all[7]!.readings.current));
  });

  it('shares the weather across devices, with small differences', () => {
    const [a, b] = [...simulatePlantDay({ ...plantConfig({ date: '2026-06-21', devices: 2, seed: 4, sky: 'broken', sensorRates: NO_SENSOR_ISSUES, keepSeries: true }) }).devices()];
    const x = a!.series!.irradiance;
    const y = b!.series!.irradiance;
    let sxy = 0, sxx = 0, syy = 0, diff = 0;
    for (let k = 0; k < x.length; k++) {
      sxy += x[k]! * y[k]!;
      sxx += x[k]! ** 2;
      syy += y[k]! ** 2;
      diff += Math.abs(x[k]! - y[k]!);
    }
    expect(sxy / Math.sqrt(sxx * syy)).toBeGreaterThan(0.95);
    expect(diff).toBeGreaterThan(0);
  });

  it('follows the fault mix and yields readings of the contract', () => {
    const mix = { normal: 1, open_circuit: 1 };
    const days = [...simulatePlantDay(plantConfig({ date: '2026-11-19', devices: 40, seed: 1, faultMix: mix, sensorRates: NO_SENSOR_ISSUES })).devices()];
    const faults = new Set(days.map((d) => d.truth.fault));
    expect(faults).toEqual(new Set(['normal', 'open_circuit']));
    for (const d of days.slice(0, 5)) {
      for (let k = 0; k < d.readings.count; k += 7) {
        const v = validateReading({ deviceId: d.deviceId, timestamp: d.readings.timestamp[k], voltage: d.readings.voltage[k], current: d.readings.current[k], temperature: d.readings.temperature[k], irradiance: d.readings.irradiance[k] });
        expect(v.ok).toBe(true);
      }
    }
  });

  it('rejects a bad configuration clearly', () => {
    expect(() => simulatePlantDay({ ...config, devices: 0 })).toThrow('devices: 0 is not a positive integer');
    expect(() => simulatePlantDay({ ...config, date: '2026-02-30' })).toThrow('date: "2026-02-30" is not a calendar date');
    expect(() => simulatePlantDay({ ...config, timeZone: 'Nowhere/Land' })).toThrow('timeZone: "Nowhere/Land" is not an IANA time zone');
  });
});
