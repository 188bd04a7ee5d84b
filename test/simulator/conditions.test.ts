/**
 * Conditions that are not faults (detector/simulator/conditions.ts): each one's
 * physics in the right direction against a twin without it, snow lasting days and
 * sliding off, determinism, the fault label untouched, and the simulator unchanged
 * when every condition is off.
 */
import { addDays } from '../../contracts/plantDay';
import { trainingConditions, TRAINING_FORCED_KINDS, TRAINING_ROOF_SHARE } from '../../detector/dataset';
import { FIELD_CONDITIONS, NO_CONDITIONS, type ConditionKind, type ConditionsConfig } from '../../detector/simulator/conditions';
import type { DeviceDay } from '../../detector/simulator/device';
import { plantConfig, simulatePlantDay, type PlantConfig } from '../../detector/simulator/plant';
import { NO_SENSOR_ISSUES } from '../../detector/simulator/sensors';
import { GRID_MS } from '../../detector/simulator/weather';

const base: PlantConfig = plantConfig({ date: '2026-06-15', devices: 2, seed: 31, faultMix: { normal: 1 }, sensorRates: NO_SENSOR_ISSUES, keepSeries: true, sky: 'clear' });
const days = (config: PlantConfig): DeviceDay[] => [...simulatePlantDay(config).devices()];
const only = (kind: ConditionKind, extra: Partial<ConditionsConfig> = {}): ConditionsConfig => ({ ...NO_CONDITIONS, force: [kind], ...extra });
const sampleOf = (day: DeviceDay, ms: number, startMs: number) => Math.round((ms - startMs) / GRID_MS);
const series = (d: DeviceDay) => d.series!;

describe('conditions off', () => {
  it('leave the readings as the simulator without conditions makes them, even through the conditions path (a rating never reached)', () => {
    const config = { ...base, sky: undefined, faultMix: { normal: 2, partial_shading: 1, arc_fault: 1 }, sensorRates: plantConfig({ date: base.date }).sensorRates, devices: 4 };
    const plain = days(config);
    const through = days({ ...config, conditions: { ...NO_CONDITIONS, converterRatingW: 1e9 } });
    plain.forEach((d, i) => {
      const t = through[i]!;
      for (const c of ['timestamp', 'publishMs', 'voltage', 'current', 'temperature', 'irradiance'] as const) expect(Array.from(t.readings[c])).toEqual(Array.from(d.readings[c]));
      expect(t.truth.conditions).toEqual([]);
      expect({ ...t.truth, conditions: [] }).toEqual(d.truth);
    });
  });

  it('are the default', () => {
    expect(plantConfig({ date: base.date }).conditions).toEqual(NO_CONDITIONS);
  });
});

describe('frost', () => {
  const date = '2026-01-15';
  const frost = days({ ...base, date, firstDate: date, conditions: only('frost') });
  const clear = days({ ...base, date, firstDate: date });

  it('cuts the current 20–30 % for a bounded morning interval, then melts away; the irradiance sensor does not see it', () => {
    for (const [i, d] of frost.entries()) {
      const [c] = d.truth.conditions.filter((x) => x.kind === 'frost');
      expect(c).toBeDefined();
      expect(c!.category).toBe('environmental');
      const s0 = simulatePlantDay({ ...base, date, firstDate: date }).window.startMs;
      const a = sampleOf(d, c!.startMs, s0);
      const b = sampleOf(d, c!.endMs, s0);
      expect((b - a) * GRID_MS).toBeGreaterThanOrEqual(0.85 * 3_600_000);
      expect((b - a) * GRID_MS).toBeLessThanOrEqual(3.45 * 3_600_000);
      const twin = clear[i]!;
      // early in the interval (tracking, not the first light): the current per irradiance is 20–30 % down
      const early = a + Math.round(0.5 * (b - a));
      const ratio = series(d).current[early]! / series(d).irradiance[early]! / (series(twin).current[early]! / series(twin).irradiance[early]!);
      expect(ratio).toBeGreaterThan(0.62);
      expect(ratio).toBeLessThan(0.85);
      // an hour after it melted: as its twin (the frost day's colder air moves the current only a little)
      const later = b + 180;
      const after = series(d).current[later]! / series(d).irradiance[later]! / (series(twin).current[later]! / series(twin).irradiance[later]!);
      expect(after).toBeGreaterThan(0.97);
      expect(after).toBeLessThan(1.05);
      expect(series(d).irradiance[early]).toBeCloseTo(series(twin).irradiance[early]!, 6);
    }
    // each array melts at its own pace
    expect(frost[0]!.truth.conditions[0]!.endMs).not.toBe(frost[1]!.truth.conditions[0]!.endMs);
  });

  it('comes with a cold dawn and leaves the fault label alone', () => {
    const plant = simulatePlantDay({ ...base, date, firstDate: date, conditions: only('frost') });
    expect(plant.weather.tempAir[plant.weather.sunriseIndex]).toBeLessThanOrEqual(-2 + 1e-9);
    for (const d of frost) expect(d.truth.fault).toBe('normal');
  });
});

describe('snow', () => {
  // a cold site where it snows on some winter nights
  const cold: PlantConfig = { ...base, sky: undefined, devices: 3, site: { ...base.site, latitude: 47, longitude: 7, annualMeanTemp: 2, annualTempAmplitude: 9 }, timeZone: 'Europe/Zurich', firstDate: '2026-01-01', conditions: { ...NO_CONDITIONS, rates: { ...NO_CONDITIONS.rates, snowfall: 0.25 } } };
  const dates = Array.from({ length: 24 }, (_, d) => addDays('2026-01-01', d));
  const run = dates.map((date) => days({ ...cold, date, keepSeries: false }));
  const snowOf = (d: DeviceDay) => d.truth.conditions.find((c) => c.kind === 'snow');

  it('covers the arrays for days and slides off one array at a time, on a later day', () => {
    let spells = 0;
    for (let i = 0; i < cold.devices; i++) {
      const state = run.map((day) => snowOf(day[i]!));
      for (let d = 0; d + 1 < state.length; d++) {
        const s = state[d];
        // covered all day and not slid: still covered the next day
        if (s && !s.severity.slidOff) expect(state[d + 1]).toBeDefined();
        if (s && !s.severity.slidOff && d > 0 && !state[d - 1]) spells++;
      }
      const slides = state.filter((s) => s?.severity.slidOff);
      expect(slides.length).toBeGreaterThan(0);
    }
    expect(spells).toBeGreaterThan(0);
    // not all arrays slide on the same day at the same time
    const slideTimes = new Set(run.flatMap((day) => day.map((d) => snowOf(d)).filter((s) => s?.severity.slidOff).map((s) => s!.endMs)));
    expect(slideTimes.size).toBeGreaterThan(1);
  });

  it('a snowfall day is overcast and cold; energy under full snow is a few percent of the same day without; the label stays normal', () => {
    for (const day of run) for (const x of day) expect(x.truth.fault).toBe('normal');
    const forced = simulatePlantDay({ ...cold, date: '2026-02-10', conditions: only('snow') });
    expect(forced.weather.sky).toBe('overcast');
    expect(Math.max(...forced.weather.tempAir)).toBeLessThanOrEqual(1 + 1e-9);
    const bare = simulatePlantDay({ ...cold, date: '2026-02-10', conditions: NO_CONDITIONS, sky: 'overcast' });
    const under = [...forced.devices()];
    const without = [...bare.devices()];
    under.forEach((u, i) => {
      const snow = snowOf(u)!;
      expect(u.truth.energyWh / without[i]!.truth.energyWh).toBeLessThan(snow.severity.full ? 0.2 : 0.9);
    });
  });

  it('partial cover: strings mismatch, bypass diodes conduct, the voltage collapses', () => {
    const forced = [...simulatePlantDay({ ...cold, devices: 12, date: '2026-02-10', conditions: only('snow'), sky: 'clear' }).devices()];
    const bare = [...simulatePlantDay({ ...cold, devices: 12, date: '2026-02-10', conditions: NO_CONDITIONS, sky: 'clear' }).devices()];
    const partial = forced.findIndex((d) => snowOf(d)!.severity.full === false);
    expect(partial).toBeGreaterThanOrEqual(0);
    const s = series(forced[partial]!);
    const t = series(bare[partial]!);
    const noon = s.voltage.length >> 1;
    // the tracker works on a bypassed string set or the uncovered strings: either way the voltage or the current collapses against the bare array
    expect(s.voltage[noon]! * s.current[noon]!).toBeLessThan(0.8 * t.voltage[noon]! * t.current[noon]!);
  });

  it('any day alone is the same day within a run (the plant replays its snowfalls)', () => {
    const d = 15;
    const alone = days({ ...cold, date: dates[d]!, keepSeries: false });
    expect(alone.map((x) => x.truth)).toEqual(run[d]!.map((x) => x.truth));
    expect(Array.from(alone[0]!.readings.current)).toEqual(Array.from(run[d]![0]!.readings.current));
  });
});

describe('soiling', () => {
  const config: PlantConfig = { ...base, firstDate: '2026-05-01', date: '2026-06-15', conditions: { ...NO_CONDITIONS, rates: { ...NO_CONDITIONS.rates, soilingPerDay: [0.001, 0.003] } } };
  it("grows by the array's own rate every day until rain washes it", () => {
    const rainy: PlantConfig = { ...config, devices: 1, keepSeries: false, firstDate: '2026-06-01', conditions: { ...config.conditions, rates: { ...config.conditions.rates, rain: 0.3 } } };
    const losses = Array.from({ length: 12 }, (_, d) => days({ ...rainy, date: addDays('2026-06-01', d) })[0]!.truth.conditions.find((c) => c.kind === 'soiling'));
    let washes = 0;
    for (let d = 1; d < losses.length; d++) {
      const before = (losses[d - 1]?.severity.loss as number | undefined) ?? 0;
      const now = (losses[d]?.severity.loss as number | undefined) ?? 0;
      // washed in the night: no dust, nothing listed
      if (!losses[d]) {
        washes++;
        continue;
      }
      // otherwise one day's dust more than the day before
      expect(now - before).toBeCloseTo(losses[d]!.severity.perDay as number, 9);
    }
    expect(washes).toBeGreaterThan(0);
  });

  it('grows slowly and is reset by a cleaning', () => {
    const dirty = days(config);
    const cleaned = days({ ...config, conditions: { ...config.conditions, cleaningDates: ['2026-06-12'] } });
    const plain = days({ ...config, conditions: NO_CONDITIONS });
    dirty.forEach((d, i) => {
      const loss = d.truth.conditions.find((c) => c.kind === 'soiling')!.severity.loss as number;
      expect(loss).toBeGreaterThan(0.001 * 45);
      expect(loss).toBeLessThanOrEqual(0.25);
      const after = cleaned[i]!.truth.conditions.find((c) => c.kind === 'soiling')?.severity.loss as number;
      expect(after).toBeCloseTo(((d.truth.conditions[0]!.severity.perDay as number) * 3), 9);
      expect(d.truth.energyWh / plain[i]!.truth.energyWh).toBeLessThan(1 - 0.8 * loss);
    });
  });
});

describe('operational', () => {
  const plain = days(base);

  it('standby: ~0.05 A near open circuit for the first and last 40–60 min of light', () => {
    const on = days({ ...base, conditions: only('standby') });
    const s0 = simulatePlantDay(base).window.startMs;
    on.forEach((d, i) => {
      const standby = d.truth.conditions.filter((c) => c.kind === 'standby');
      expect(standby).toHaveLength(2);
      expect(standby.every((c) => c.category === 'operational')).toBe(true);
      for (const c of standby) {
        expect((c.endMs - c.startMs) / 60_000).toBeGreaterThan(25);
        expect((c.endMs - c.startMs) / 60_000).toBeLessThanOrEqual(60);
        const k = sampleOf(d, (c.startMs + c.endMs) / 2, s0);
        expect(series(d).current[k]).toBeCloseTo(0.05, 6);
        expect(series(d).voltage[k]).toBeGreaterThan(series(plain[i]!).voltage[k]!);
      }
      // the tracker starts again after the dawn standby
      const after = sampleOf(d, standby[0]!.endMs, s0) + 90;
      expect(series(d).current[after]).toBeCloseTo(series(plain[i]!).current[after]!, 1);
    });
  });

  it('clipping: the power never exceeds the rating, and reaches it at midday', () => {
    const rating = 2000;
    const on = days({ ...base, conditions: { ...NO_CONDITIONS, converterRatingW: rating } });
    for (const d of on) {
      const s = series(d);
      let max = 0;
      for (let k = 0; k < s.voltage.length; k++) max = Math.max(max, s.voltage[k]! * s.current[k]!);
      expect(max).toBeLessThanOrEqual(rating * (1 + 1e-6));
      expect(max).toBeGreaterThan(rating * 0.99);
      expect(d.truth.conditions.some((c) => c.kind === 'clipping')).toBe(true);
    }
  });

  it('curtailment: lower power at a higher voltage, plant-wide, for its interval', () => {
    const on = days({ ...base, conditions: only('curtailment') });
    const s0 = simulatePlantDay(base).window.startMs;
    const intervals = on.map((d) => d.truth.conditions.filter((c) => c.kind === 'curtailment'));
    expect(intervals[0]!.length).toBeGreaterThan(0);
    on.forEach((d, i) => {
      const c = intervals[i]![0]!;
      expect(c.severity.limitW).toBe(intervals[0]![0]!.severity.limitW);
      const k = sampleOf(d, (c.startMs + c.endMs) / 2, s0);
      const s = series(d);
      const t = series(plain[i]!);
      expect(s.voltage[k]! * s.current[k]!).toBeLessThan(t.voltage[k]! * t.current[k]!);
      expect(s.voltage[k]! * s.current[k]!).toBeCloseTo(c.severity.limitW as number, 3);
      expect(s.voltage[k]).toBeGreaterThan(t.voltage[k]!);
    });
  });
});

describe('mounting', () => {
  it('a roof runs 30–50 % hotter above the air than an open rack', () => {
    const plant = simulatePlantDay(base);
    const open = [...plant.devices()];
    const roof = days({ ...base, conditions: { ...NO_CONDITIONS, mounting: 'roof' } });
    const noon = plant.weather.samples >> 1;
    const air = plant.weather.tempAir;
    open.forEach((d, i) => {
      for (const k of [noon - 600, noon, noon + 600]) {
        const ratio = (series(roof[i]!).temperature[k]! - air[k]!) / (series(d).temperature[k]! - air[k]!);
        expect(ratio).toBeGreaterThan(1.3);
        expect(ratio).toBeLessThan(1.5);
      }
    });
  });
});

describe('determinism', () => {
  it('the same seed gives the same day with every condition of the field rates', () => {
    const config: PlantConfig = { ...base, sky: undefined, date: '2026-01-20', firstDate: '2026-01-01', conditions: { ...FIELD_CONDITIONS, converterRatingW: 2500 } };
    const a = days(config);
    const b = days(config);
    expect(b.map((d) => d.truth)).toEqual(a.map((d) => d.truth));
    expect(Array.from(b[1]!.readings.voltage)).toEqual(Array.from(a[1]!.readings.voltage));
    expect(a.some((d) => d.truth.conditions.length > 0)).toBe(true);
  });
});

describe('training plant-days', () => {
  it('meet the field rates, one forced condition on a quarter of them, roofs on ~30 %, from their own stream', () => {
    const configs = Array.from({ length: 800 }, (_, i) => trainingConditions(1000 + i, addDays('2025-01-01', i % 365)));
    const forced = configs.filter((c) => c.force.length > 0);
    expect(forced.length / configs.length).toBeGreaterThan(0.2);
    expect(forced.length / configs.length).toBeLessThan(0.3);
    expect(new Set(forced.map((c) => c.force[0]))).toEqual(new Set(TRAINING_FORCED_KINDS));
    expect(configs.filter((c) => c.mounting === 'roof').length / configs.length).toBeCloseTo(TRAINING_ROOF_SHARE, 1);
    expect(configs.every((c) => c.rates === FIELD_CONDITIONS.rates && c.force.length <= 1)).toBe(true);
    expect(trainingConditions(1001, '2025-03-01')).toEqual(trainingConditions(1001, '2025-03-01'));
  });
});
