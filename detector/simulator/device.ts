/**
 * One device's day: weather → module temperature → fault → array I-V curve →
 * MPPT operating point → sensors → readings as delivered, plus the ground truth.
 */
import { arrayCurve, UniformArray, type ArrayLayout, type StringCondition } from './array';
import { applySnow, conditionIntervals, maskRuns, STANDBY_CURRENT, type ConditionInterval, type DeviceConditions } from './conditions';
import { applyFault, faultSpec, type FaultSpec, type FaultToday, type FaultTruth } from './faults';
import { PerturbAndObserve, type IvCurve, type OperatingPoint, type VoltageWander } from './mppt';
import { moduleOf, type DeviceProfile } from './profile';
import type { Rng } from './random';
import { SensorSet, type Calibration, type SensorIssues, type SensorRates } from './sensors';
import { calcParamsDesoto, voltageAt, type ModuleParams } from './singleDiode';
import { deviceIrradiance, faimanTemp, GRID_MS, MODULE_THERMAL_TAU_MS, type DeviceIrradiance, type PlantWeather, type SkyType } from './weather';

/**
 * Columns of the readings: measurement time (epoch ms, device clock), publish time
 * to the topic (epoch ms), and the four measurements.
 */
export const READING_COLUMNS = ['timestamp', 'publishMs', 'voltage', 'current', 'temperature', 'irradiance'] as const;
export type ReadingColumn = (typeof READING_COLUMNS)[number];

/** Readings of one device as they reach the SCADA (publish order), columnar. */
export type DeviceReadings = { count: number } & Record<ReadingColumn, Float64Array>;

export interface DeviceTruth extends FaultTruth {
  deviceId: string;
  /** intervals [startMs, endMs) in which the fault visibly acts on the array */
  active: [number, number][];
  sky: SkyType;
  noiseLevel: number;
  /** the sensors' gain and offset errors on the day */
  calibration: Calibration;
  sensorIssues: SensorIssues;
  /** energy delivered to the converter over the day, Wh */
  energyWh: number;
  /** conditions that are not faults (frost, snow, soiling, standby, curtailment, clipping) where they act on the array; the fault label ignores them */
  conditions: ConditionInterval[];
}

/** Noise-free signals on the 20-s grid (for tests, plots and training labels). */
export interface DeviceSeries {
  voltage: Float64Array;
  current: Float64Array;
  temperature: Float64Array;
  irradiance: Float64Array;
  /** what the irradiance sensor saw (its own point of the sky, its response), before its calibration and noise; 0 where no reading was taken */
  sensorIrradiance: Float64Array;
  /** 1 where the fault acts on the array at that sample */
  faultActive: Uint8Array;
}

export interface DeviceDay {
  deviceId: string;
  readings: DeviceReadings;
  truth: DeviceTruth;
  /** what the array is on every day of its plant */
  profile: DeviceProfile;
  series?: DeviceSeries;
}

export interface DeviceSetup {
  deviceId: string;
  profile: DeviceProfile;
  /** the sensors' calibration on the day (the profile's, drifted) */
  calibration: Calibration;
  /** the device's fault as seen from the day; null: healthy all day */
  fault: FaultToday | null;
  module: ModuleParams;
  layout: ArrayLayout;
  sensorRates: SensorRates;
  keepSeries: boolean;
  /** the array's conditions on the day (conditions.ts); absent: none */
  conditions?: DeviceConditions | null;
}

function intervals(mask: Uint8Array, startMs: number): [number, number][] {
  return maskRuns(mask).map(([from, to]) => [startMs + from * GRID_MS, startMs + to * GRID_MS]);
}

class ReadingBuffer {
  count = 0;
  private cols: Record<ReadingColumn, Float64Array>;

  constructor(private cap: number) {
    this.cols = Object.fromEntries(READING_COLUMNS.map((c) => [c, new Float64Array(cap)])) as Record<ReadingColumn, Float64Array>;
  }

  push(ts: number, pub: number, v: number, i: number, t: number, g: number): void {
    if (this.count === this.cap) this.grow();
    const n = this.count++;
    const c = this.cols;
    c.timestamp[n] = ts;
    c.publishMs[n] = pub;
    c.voltage[n] = v;
    c.current[n] = i;
    c.temperature[n] = t;
    c.irradiance[n] = g;
  }

  private grow(): void {
    this.cap *= 2;
    for (const name of READING_COLUMNS) {
      const bigger = new Float64Array(this.cap);
      bigger.set(this.cols[name]);
      this.cols[name] = bigger;
    }
  }

  /** The readings in publish order (late and duplicated ones move back). */
  finish(): DeviceReadings {
    const n = this.count;
    const pub = this.cols.publishMs;
    let ordered = true;
    for (let k = 1; k < n && ordered; k++) if (pub[k]! < pub[k - 1]!) ordered = false;
    let order: Uint32Array | null = null;
    if (!ordered) {
      order = new Uint32Array(n);
      for (let k = 0; k < n; k++) order[k] = k;
      order.sort((a, b) => pub[a]! - pub[b]! || a - b);
    }
    const out = { count: n } as DeviceReadings;
    for (const name of READING_COLUMNS) {
      const col = this.cols[name];
      if (!order) out[name] = col.slice(0, n);
      else {
        const sorted = new Float64Array(n);
        for (let k = 0; k < n; k++) sorted[k] = col[order[k]!]!;
        out[name] = sorted;
      }
    }
    return out;
  }
}

/** the converter's operating voltage wanders about its set point by this (relative sd), over this time constant */
const WANDER_SD = 0.012;
const WANDER_TAU_MS = 60_000;

/** An AR(1) wander sampled once per reading. */
function ar1Wander(rng: Rng, sd: number, tauMs: number): VoltageWander {
  const phi = Math.exp(-GRID_MS / tauMs);
  const innovation = sd * Math.sqrt(1 - phi * phi);
  let x = rng.normal(0, sd);
  return { next: () => (x = phi * x + rng.normal(0, innovation)) };
}

/** the logger reads the irradiance sensor up to this far before or after the converter's current, ms */
const SENSOR_READ_SPREAD_MS = 5_000;

const DARK: IvCurve = { current: () => 0, vOc: 0 };

/** The voltage at which the curve gives current i (bisection; the curve's current falls with voltage). */
function voltageAtCurrent(curve: IvCurve, i: number): number {
  let lo = 0;
  let hi = curve.vOc;
  for (let it = 0; it < 40; it++) {
    const mid = (lo + hi) / 2;
    if (curve.current(mid) > i) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Moves the operating point right of the maximum power point until the power is at most limitW (bisection on the falling side). */
function limitPower(curve: IvCurve, limitW: number, op: OperatingPoint): void {
  let lo = op.voltage;
  let hi = curve.vOc;
  for (let it = 0; it < 40; it++) {
    const mid = (lo + hi) / 2;
    if (mid * curve.current(mid) > limitW) lo = mid;
    else hi = mid;
  }
  op.voltage = hi;
  op.current = curve.current(hi);
}

export function simulateDevice(weather: PlantWeather, setup: DeviceSetup, rng: Rng): DeviceDay {
  const { layout, module } = setup;
  const n = weather.samples;
  const start = weather.window.startMs;
  const { profile } = setup;
  const faultRng = rng.fork('fault');
  const spec: FaultSpec = faultSpec(setup.fault, n, start, faultRng);
  const sky = profile.sky;
  const deviceModule = moduleOf(profile, module);
  const noiseLevel = profile.noiseLevel;
  const sensors = new SensorSet(rng.fork('sensors'), noiseLevel, setup.sensorRates, setup.calibration, start, weather.window.endMs);

  const vOcStc = layout.nSeries * voltageAt(calcParamsDesoto(1000, 25, deviceModule), 0);
  const mppt = new PerturbAndObserve(0.008 * vOcStc, 16, 15, 0.8, ar1Wander(rng.fork('mppt-wander'), WANDER_SD, WANDER_TAU_MS));
  const uniform = new UniformArray(layout);
  const conds: (StringCondition | null)[] = new Array<StringCondition | null>(layout.nStrings).fill(null);
  const irr: DeviceIrradiance = { beam: 0, diffuse: 0, global: 0, sensor: 0 };
  // when within each 20-s sample the logger reads the irradiance sensor, relative to the current
  const sensorClock = rng.fork('sensor-clock');
  const op: OperatingPoint = { voltage: 0, current: 0 };
  const out = new ReadingBuffer(Math.ceil(n * 1.02) + 16);
  const faultActive = new Uint8Array(n);
  const series: DeviceSeries | undefined = setup.keepSeries
    ? { voltage: new Float64Array(n), current: new Float64Array(n), temperature: new Float64Array(n), irradiance: new Float64Array(n), sensorIrradiance: new Float64Array(n), faultActive }
    : undefined;
  const thermalDecay = Math.exp(-GRID_MS / MODULE_THERMAL_TAU_MS);
  let tModule = weather.tempAir[0]!;
  let energyWh = 0;
  const dc = setup.conditions ?? null;

  for (let k = 0; k < n; k++) {
    const t = start + k * GRID_MS;
    deviceIrradiance(weather, k, sky, irr, sensorClock.uniform(-SENSOR_READ_SPREAD_MS, SENSOR_READ_SPREAD_MS));
    // conditions: light lost before the cells (frost, dew, soiling, snow) heats them less; the mounting sets the cooling
    const light = dc ? dc.light[k]! : 1;
    const tSteady = dc ? faimanTemp(irr.global * light, weather.tempAir[k]!, weather.wind[k]!, dc.faiman.u0, dc.faiman.u1) : faimanTemp(irr.global, weather.tempAir[k]!, weather.wind[k]!);
    tModule = tSteady + (tModule - tSteady) * thermalDecay;
    const effective = dc ? (irr.beam + irr.diffuse) * light : irr.beam + irr.diffuse;
    const active = applyFault(spec, k, t, irr.beam + irr.diffuse > 0 ? irr.beam / (irr.beam + irr.diffuse) : 0, faultRng, conds, layout.bypassDiodes);
    const snowy = dc ? applySnow(dc, k, conds) : false;

    if (effective < 0.5) {
      mppt.track(DARK, 0, op);
    } else {
      const base = calcParamsDesoto(effective, tModule, deviceModule);
      let curve: IvCurve;
      if (active || snowy) {
        curve = arrayCurve(layout, base, conds, (s) => calcParamsDesoto(effective * s, tModule, deviceModule));
      } else {
        uniform.update(base);
        curve = uniform;
      }
      if (dc && (k < dc.dawnEnd || k >= dc.duskStart) && curve.vOc > 0) {
        // standby at dawn and dusk: the converter idles, drawing a few tens of mA near open circuit (the tracker restarts after)
        mppt.track(curve, 0, op);
        op.current = Math.min(STANDBY_CURRENT, curve.current(0));
        op.voltage = voltageAtCurrent(curve, op.current);
        dc.standbyMask[k] = 1;
      } else {
        mppt.track(curve, irr.global, op);
        const limit = dc?.limitW ? dc.limitW[k]! : Infinity;
        if (op.voltage * op.current > limit) {
          // clipping or curtailment: the converter holds its power, off the maximum power point towards open circuit
          limitPower(curve, limit, op);
          if (dc!.curtailLimitW !== null && limit === dc!.curtailLimitW && limit < (dc!.ratingW ?? Infinity)) dc!.curtailMask[k] = 1;
          else dc!.clippingMask[k] = 1;
        }
      }
      if (active && spec.fault === 'arc_fault' && !conds[spec.string!]?.open) {
        // the arc's resistance flickers: the faulty string's current with it
        op.current = Math.max(0, op.current + faultRng.normal(0, spec.severity.currentJitter as number) * (op.current / layout.nStrings));
      }
    }
    // a fault only shows while the array is producing
    if (active && op.current > 0) faultActive[k] = 1;
    energyWh += (op.voltage * op.current * GRID_MS) / 3_600_000;
    if (series) {
      series.voltage[k] = op.voltage;
      series.current[k] = op.current;
      series.temperature[k] = tModule;
      series.irradiance[k] = irr.global;
    }

    const deliveries = sensors.delivery(t);
    if (deliveries === 0) continue;
    let v = sensors.measure('voltage', op.voltage, t);
    let i = sensors.measure('current', op.current, t);
    let tm = sensors.measure('temperature', tModule, t);
    let g = sensors.measure('irradiance', irr.sensor, t);
    if (series) series.sensorIrradiance[k] = sensors.seen.irradiance;
    const bad = sensors.corruption();
    if (bad) {
      if (bad.channel === 'voltage') v = bad.value;
      else if (bad.channel === 'current') i = bad.value;
      else if (bad.channel === 'temperature') tm = bad.value;
      else g = bad.value;
    }
    const ts = t + sensors.jitter();
    for (let d = 0; d < deliveries; d++) out.push(ts, t + sensors.delays[d]!, v, i, tm, g);
  }

  const { on: _on, shading: _shading, ...fault } = spec;
  return {
    deviceId: setup.deviceId,
    readings: out.finish(),
    truth: {
      deviceId: setup.deviceId,
      ...fault,
      active: intervals(faultActive, start),
      sky: weather.sky,
      noiseLevel,
      calibration: setup.calibration,
      sensorIssues: sensors.issues,
      energyWh,
      conditions: dc ? conditionIntervals(dc, start) : [],
    },
    profile,
    series,
  };
}
