import { parseDesign } from '../../contracts/design';
import { validateReading } from '../../contracts/reading';
import { SimulatorSource } from '../../functions/producer/sources/simulator';
import { captureLog, ManualClock } from './helpers';

type R = { deviceId: string; timestamp: number; voltage: number; current: number; temperature: number; irradiance: number };

describe('simulator source', () => {
  const noon = Date.UTC(2026, 5, 21, 10, 0, 0); // 12:00 in Madrid, summer solstice
  const options = { devices: 10, templates: 4, seed: 3, timeZone: 'Europe/Madrid', pollIntervalMs: 20_000 };

  async function started(at: number) {
    const clock = new ManualClock(at);
    const source = new SimulatorSource(options, clock, captureLog().logger);
    await source.start();
    return { clock, source };
  }

  it("returns the current tick's readings for every device, with real wall-clock timestamps", async () => {
    const { source } = await started(noon);
    const readings = (await source.poll()) as R[];
    const ids = new Set(readings.map((r) => r.deviceId));
    // one reading per device per 20 s, minus the simulated drops, plus duplicates
    expect(ids.size).toBeGreaterThanOrEqual(8);
    for (const id of ids) expect(id).toMatch(/^PV-0000(0[1-9]|10)$/);
    for (const r of readings) {
      // delivered in the last 20 s; measured at most a few minutes earlier (late deliveries)
      expect(r.timestamp).toBeLessThanOrEqual(noon + 2_000);
      expect(r.timestamp).toBeGreaterThan(noon - 10 * 60_000);
    }
    // midday in June: the arrays produce
    const valid = readings.filter((r) => validateReading(r).ok);
    expect(valid.filter((r) => r.irradiance > 500 && r.current > 1).length).toBeGreaterThan(valid.length / 2);
  });

  it("simulates the configured design: a CdTe array's voltage, not the default array's", async () => {
    const cdte = new SimulatorSource({ ...options, design: parseDesign('cdte-4x4-fs-6385') }, new ManualClock(noon), captureLog().logger);
    await cdte.start();
    const { source } = await started(noon);
    const median = (rs: R[]) => {
      const v = rs.filter((r) => validateReading(r).ok && r.current > 1).map((r) => r.voltage).sort((a, b) => a - b);
      return v[v.length >> 1]!;
    };
    // at the maximum power point: 4 × ~160 V hot CdTe modules against 5 × ~40 V hot CS5P-220M
    expect(median((await cdte.poll()) as R[])).toBeGreaterThan(450);
    expect(median((await source.poll()) as R[])).toBeLessThan(260);
  });

  it('device i replays template i mod T under its own id', async () => {
    const { source } = await started(noon);
    const readings = (await source.poll()) as R[];
    const strip = (r: R) => ({ ...r, deviceId: '' });
    const of = (id: string) => readings.filter((r) => r.deviceId === id).map(strip);
    expect(of('PV-000005')).toEqual(of('PV-000001'));
    expect(of('PV-000002')).not.toEqual(of('PV-000001'));
  });

  it('successive polls split the stream without gaps or overlaps', async () => {
    const a = await started(noon);
    const polls: R[] = [];
    for (let i = 0; i < 6; i++) {
      await a.clock.advance(7_000);
      polls.push(...((await a.source.poll()) as R[]));
    }
    // one source polled once over the same span: the six polls cover from pollIntervalMs before the first (noon + 7 s)
    // to noon + 42 s, and a first poll covers pollIntervalMs before it
    const b = new SimulatorSource({ ...options, pollIntervalMs: 42_000 - 7_000 + options.pollIntervalMs }, new ManualClock(noon + 42_000), captureLog().logger);
    await b.start();
    const once = (await b.poll()) as R[];
    const key = (r: R) => `${r.deviceId}@${r.timestamp}:${r.voltage}`;
    expect(polls.map(key).sort()).toEqual(once.map(key).sort());
    expect(once.length).toBeGreaterThan(15);
  });

  it('at night the arrays are dark', async () => {
    const { source, clock } = await started(Date.UTC(2026, 5, 21, 1, 0, 0));
    const all: R[] = [];
    for (let i = 0; i < 30; i++) {
      await clock.advance(600_000);
      all.push(...((await source.poll()) as R[]));
    }
    const valid = all.filter((r) => validateReading(r).ok);
    expect(valid.length).toBeGreaterThan(0);
    const dark = valid.filter((r) => r.timestamp < Date.UTC(2026, 5, 21, 3, 0, 0));
    for (const r of dark) expect(Math.abs(r.current)).toBeLessThan(1);
  });
});
