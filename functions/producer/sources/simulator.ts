/**
 * The plant simulator as a SCADA source, for demos and load tests: today's
 * plant-local day is simulated for a pool of template devices, and each poll
 * returns the readings that reached the SCADA since the previous poll
 * (the simulator's publish times), so drops, duplicates, late deliveries and
 * corrupted values come through as a real plant's would. Timestamps are the
 * real wall clock: the simulated day is today.
 *
 * Why templates: a device-day costs ~15 ms to simulate and ~200 KB to keep, so
 * 10k independently simulated devices would cost minutes and gigabytes per day.
 * Device i replays template i mod T under its own id; T = SIMULATOR_TEMPLATES.
 */
import { localDate } from '../../../contracts/plantDay';
import type { DeviceReadings } from '../../../detector/simulator/device';
import type { Design } from '../../../contracts/design';
import { deviceId, plantConfig, simulatePlantDay } from '../../../detector/simulator/plant';
import type { Clock } from '../clock';
import type { Logger } from '../log';
import type { ScadaSource } from './types';

export interface SimulatorOptions {
  devices: number;
  templates: number;
  seed: number;
  timeZone: string;
  /** the arrays' design (contracts/design.ts); default: the default design */
  design?: Design;
  /** the first poll covers this much time before it */
  pollIntervalMs: number;
}

/** Index of the first reading published at or after t (publish times are sorted). */
function firstAtOrAfter(publishMs: Float64Array, count: number, t: number): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (publishMs[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class SimulatorSource implements ScadaSource {
  readonly kind = 'simulator';
  private readonly days = new Map<string, DeviceReadings[]>();
  private readonly ids: string[];
  private lastPollMs: number | null = null;

  constructor(
    private readonly options: SimulatorOptions,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    const idConfig = plantConfig({ date: '2000-01-01' });
    this.ids = Array.from({ length: options.devices }, (_, i) => deviceId(idConfig, i));
  }

  get templateCount(): number {
    return Math.min(this.options.templates, this.options.devices);
  }

  async start(): Promise<void> {
    await this.dayFor(this.clock.now());
  }

  private async dayFor(ms: number): Promise<DeviceReadings[]> {
    const date = localDate(ms, this.options.timeZone);
    const known = this.days.get(date);
    if (known) return known;
    const started = Date.now();
    const config = plantConfig({ date, timeZone: this.options.timeZone, devices: this.templateCount, seed: this.options.seed, ...(this.options.design ? { design: this.options.design } : {}) });
    const templates: DeviceReadings[] = [];
    for (const day of simulatePlantDay(config).devices()) {
      templates.push(day.readings);
      // one device-day at a time, so /health and the sender keep running meanwhile
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.days.set(date, templates);
    this.logger.info('simulated plant day ready', { date, templates: templates.length, devices: this.options.devices, ms: Date.now() - started });
    return templates;
  }

  async poll(): Promise<unknown[]> {
    const now = this.clock.now();
    const from = this.lastPollMs ?? now - this.options.pollIntervalMs;
    this.lastPollMs = now;
    if (now <= from) return [];
    // late deliveries from before midnight belong to the previous day's simulation
    const dates = new Set([localDate(from, this.options.timeZone), localDate(now, this.options.timeZone)]);
    const sets: DeviceReadings[][] = [];
    for (const ms of [from, now]) {
      const templates = await this.dayFor(ms);
      if (!sets.includes(templates)) sets.push(templates);
    }
    for (const date of this.days.keys()) if (!dates.has(date)) this.days.delete(date);

    const out: unknown[] = [];
    for (const templates of sets) {
      const ranges = templates.map((r) => [firstAtOrAfter(r.publishMs, r.count, from), firstAtOrAfter(r.publishMs, r.count, now)] as const);
      for (let i = 0; i < this.ids.length; i++) {
        const t = i % templates.length;
        const r = templates[t]!;
        const [a, b] = ranges[t]!;
        for (let k = a; k < b; k++) {
          out.push({
            deviceId: this.ids[i]!,
            timestamp: r.timestamp[k]!,
            voltage: r.voltage[k]!,
            current: r.current[k]!,
            temperature: r.temperature[k]!,
            irradiance: r.irradiance[k]!,
          });
        }
      }
    }
    return out;
  }

  async close(): Promise<void> {
    this.days.clear();
  }
}
