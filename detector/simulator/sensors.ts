/**
 * What the field sensors and the SCADA link do to the true signals: gain and
 * offset errors (a device's own, its gains drifting slowly over the days), noise
 * and ADC quantisation; dropped readings and outages, duplicates, late arrivals,
 * stuck channels, invalid values, clock jitter — every bad input the ingest must
 * survive, counted in the ground truth.
 */
import type { Rng } from './random';

export const CHANNELS = ['voltage', 'current', 'temperature', 'irradiance'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface SensorRates {
  /** probability that a reading is lost */
  drop: number;
  /** probability per device-day of one communication outage (5–90 min) */
  outagePerDay: number;
  /** probability that a reading is delivered twice */
  duplicate: number;
  /** probability that a reading arrives late (1 min – 3 h) */
  late: number;
  /** probability per device-day of a stuck channel (20–120 min) */
  stuckPerDay: number;
  /** probability that a reading carries an invalid value (NaN, an error code, garbage) */
  invalid: number;
  /** sd of the device clock's jitter around the 20-s grid, ms */
  jitterMs: number;
}

export const DEFAULT_SENSOR_RATES: SensorRates = {
  drop: 0.003,
  outagePerDay: 0.08,
  duplicate: 0.002,
  late: 0.001,
  stuckPerDay: 0.03,
  invalid: 0.0003,
  jitterMs: 400,
};

export const NO_SENSOR_ISSUES: SensorRates = { drop: 0, outagePerDay: 0, duplicate: 0, late: 0, stuckPerDay: 0, invalid: 0, jitterMs: 0 };

/**
 * Noise sd at noise level 1, and ADC steps, per channel. At the levels measured
 * (detector/realism, docs/simulator.md): a pyranometer's single readings at night
 * scatter by ~0.1 W/m² (BSRN's 1-s samples), its 1-min means by 0–0.6 W/m²; a DC
 * current transducer at night reads within a milliampere or so. The old table
 * (2 W/m², 0.03 A) was 20–100× that, which hid small leaks and dimmed the sky's own
 * ramps on clear days under sensor noise.
 */
const NOISE: Record<Channel, { sd: number; relSd: number; step: number }> = {
  voltage: { sd: 0.05, relSd: 0.0005, step: 0.01 },
  current: { sd: 0.0008, relSd: 0.001, step: 0.001 },
  temperature: { sd: 0.1, relSd: 0, step: 0.1 },
  irradiance: { sd: 0.08, relSd: 0.002, step: 0.1 },
};

/** the irradiance sensor's response drift relative to the modules: sd and time constant */
const RESPONSE_SD = 0.025;
const RESPONSE_TAU_MS = 1_800_000;
const RESPONSE_SMOOTH_MS = 600_000;

export interface SensorIssues {
  dropped: number;
  outages: { startMs: number; endMs: number }[];
  duplicated: number;
  late: number;
  stuck: { channel: Channel; startMs: number; endMs: number }[];
  invalid: number;
}

/** A sensor set's calibration errors on a day: measured = true × gain + offset (+ noise). */
export interface Calibration {
  gain: Record<Channel, number>;
  offset: Record<Channel, number>;
}

/** A sensor set as installed: its calibration errors on the plant's first day, and how fast its gains drift. */
export interface InstalledSensors extends Calibration {
  /** relative change of each gain per year (ageing electronics; a reference cell soiling and yellowing) */
  gainDriftPerYear: Record<Channel, number>;
}

/** Draws a device's sensor calibration once: it stays with the device from day to day. */
export function installSensors(rng: Rng): InstalledSensors {
  return {
    gain: { voltage: rng.normal(1, 0.003), current: rng.normal(1, 0.005), temperature: 1, irradiance: rng.normal(1, 0.02) },
    offset: { voltage: rng.normal(0, 0.1), current: rng.normal(0, 0.01), temperature: rng.normal(0, 0.5), irradiance: rng.normal(0, 1) },
    gainDriftPerYear: { voltage: rng.normal(0, 0.001), current: rng.normal(0, 0.002), temperature: 0, irradiance: rng.normal(0, 0.01) },
  };
}

/** The calibration `days` after the plant's first day: the gains drift linearly, the offsets stay. */
export function calibrationAfter(sensors: InstalledSensors, days: number): Calibration {
  const years = days / 365.25;
  const gain = { ...sensors.gain };
  for (const c of CHANNELS) gain[c] *= 1 + sensors.gainDriftPerYear[c] * years;
  return { gain, offset: { ...sensors.offset } };
}

/** One device's sensor set on a day: its calibration errors, a noise level, scheduled faults. */
export class SensorSet {
  readonly gain: Record<Channel, number>;
  readonly offset: Record<Channel, number>;
  readonly issues: SensorIssues = { dropped: 0, outages: [], duplicated: 0, late: 0, stuck: [], invalid: 0 };
  private readonly stuckValue: Partial<Record<Channel, number>> = {};
  /** what each transducer saw at its last reading, before gain, offset and noise (the irradiance sensor: its light after its own response) */
  readonly seen: Record<Channel, number> = { voltage: 0, current: 0, temperature: 0, irradiance: 0 };
  /** the irradiance sensor's response relative to the modules' (spectrum, angle, its own temperature): AR(1) state and time */
  private response = 0;
  private responseSmooth = 0;
  private responseMs = Number.NaN;

  constructor(
    private readonly rng: Rng,
    readonly noiseLevel: number,
    readonly rates: SensorRates,
    calibration: Calibration,
    dayStartMs: number,
    dayEndMs: number,
  ) {
    this.gain = calibration.gain;
    this.offset = calibration.offset;
    const span = dayEndMs - dayStartMs;
    if (rng.chance(rates.outagePerDay)) {
      const startMs = dayStartMs + rng.next() * span;
      this.issues.outages.push({ startMs, endMs: startMs + rng.uniform(5, 90) * 60_000 });
    }
    if (rng.chance(rates.stuckPerDay)) {
      const startMs = dayStartMs + rng.next() * span;
      this.issues.stuck.push({ channel: rng.pick(CHANNELS), startMs, endMs: startMs + rng.uniform(20, 120) * 60_000 });
    }
  }

  private inOutage(t: number): boolean {
    for (const o of this.issues.outages) if (t >= o.startMs && t < o.endMs) return true;
    return false;
  }

  /** Measured value of one channel (noise, calibration, quantisation, stuck). */
  measure(channel: Channel, truth: number, t: number): number {
    for (const s of this.issues.stuck) {
      if (s.channel === channel && t >= s.startMs && t < s.endMs) {
        const held = this.stuckValue[channel];
        if (held !== undefined) return held;
      }
    }
    const n = NOISE[channel];
    if (channel === 'irradiance') truth *= 1 + this.responseAt(t);
    this.seen[channel] = truth;
    const noisy = truth * this.gain[channel] + this.offset[channel] + this.rng.normal(0, this.noiseLevel * (n.sd + n.relSd * Math.abs(truth)));
    const value = Math.round(noisy / n.step) * n.step;
    this.stuckValue[channel] = value;
    return value;
  }

  /**
   * A pyranometer or reference cell does not answer to the light as the modules do:
   * spectrum (bluer under clouds), angle of incidence, its own temperature. The
   * modules' current relative to the sensor drifts by ~1.5 % over tens of minutes
   * (part of the 5.4 % residual spread measured on a real rooftop, issue 23).
   */
  private responseAt(t: number): number {
    // an AR(1) drift smoothed by a second low-pass: an AR(1) alone is rough at every
    // scale and would add ~3 W/m² to each clear minute's ramp, where measured clear
    // days ramp by 2–3 W/m² in all
    if (Number.isNaN(this.responseMs)) this.response = this.responseSmooth = this.rng.normal(0, RESPONSE_SD);
    else {
      const dt = Math.max(0, t - this.responseMs);
      const phi = Math.exp(-dt / RESPONSE_TAU_MS);
      this.response = phi * this.response + this.rng.normal(0, RESPONSE_SD * Math.sqrt(1 - phi * phi));
      const smooth = Math.exp(-dt / RESPONSE_SMOOTH_MS);
      this.responseSmooth = smooth * this.responseSmooth + (1 - smooth) * this.response;
    }
    this.responseMs = t;
    return this.responseSmooth;
  }

  /** Publish delays of the current reading, ms (valid up to the count delivery() returned). */
  readonly delays = [0, 0];

  /** How the reading taken at t travels: lost (0), delivered once (1) or twice (2, duplicated); see delays. */
  delivery(t: number): number {
    if (this.inOutage(t) || this.rng.chance(this.rates.drop)) {
      this.issues.dropped++;
      return 0;
    }
    const latency = this.rng.uniform(500, 8_000);
    let delay = latency;
    if (this.rng.chance(this.rates.late)) {
      this.issues.late++;
      delay = this.rng.uniform(60_000, 3 * 3_600_000);
    }
    this.delays[0] = delay;
    if (this.rng.chance(this.rates.duplicate)) {
      this.issues.duplicated++;
      this.delays[1] = delay + this.rng.uniform(1_000, 30_000); // a retry, not a late reading
      return 2;
    }
    return 1;
  }

  /** Clock jitter of the device's timestamp around the grid, ms (whole). */
  jitter(): number {
    return this.rates.jitterMs > 0 ? Math.round(this.rng.normal(0, this.rates.jitterMs)) : 0;
  }

  /** Now and then a reading carries garbage: returns the channel and the bad value, or null. */
  corruption(): { channel: Channel; value: number } | null {
    if (!this.rng.chance(this.rates.invalid)) return null;
    this.issues.invalid++;
    const channel = this.rng.pick(CHANNELS);
    const value = this.rng.pick([Number.NaN, Number.POSITIVE_INFINITY, 65535, -9999, 1e9]);
    return { channel, value };
  }
}
