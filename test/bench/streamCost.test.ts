/** bench/stream.ts's cost of a streaming day and local/streamJob.ts's percentiles: the arithmetic the figures in docs/performance.md rest on. */
import { fitStreamCpu, streamDayCost } from '../../bench/stream';
import { EMR_SERVERLESS_PRICES } from '../../bench/emrServerlessCost';
import { medianP90, phaseTotals } from '../../local/streamJob';

const WORKERS = { driver: { cpu: '2 vCPU', memory: '5 GB' }, executor: { cpu: '4 vCPU', memory: '12 GB' } };

describe('streamDayCost', () => {
  it('bills the driver and one executor all day when the work fits in one', () => {
    const c = streamDayCost(1, 100, WORKERS, 1);
    expect(c.executors).toBe(1);
    expect(c.vcpuHours).toBeCloseTo(24 * (2 + 4), 9);
    expect(c.gbHours).toBeCloseTo(24 * (5 + 12), 9);
    expect(c.usd).toBeCloseTo(24 * 6 * EMR_SERVERLESS_PRICES.perVcpuHour + 24 * 17 * EMR_SERVERLESS_PRICES.perGbHour, 9);
  });

  it('adds executors for the work beyond one, more when they are less busy', () => {
    // 4 executor-days of vCPU seconds at full use, 8 at half
    const perDevice = (4 * 4 * 86_400) / 1000;
    expect(streamDayCost(perDevice, 1000, WORKERS, 1).executors).toBeCloseTo(4, 9);
    expect(streamDayCost(perDevice, 1000, WORKERS, 0.5).executors).toBeCloseTo(8, 9);
    expect(streamDayCost(perDevice, 1000, WORKERS, 0.5).usd).toBeGreaterThan(streamDayCost(perDevice, 1000, WORKERS, 1).usd);
  });
});

describe('fitStreamCpu', () => {
  it('splits the replays\' CPU into a part per micro-batch and a part per device', () => {
    // 3 CPU s a micro-batch, 20 a device: the same step (165 micro-batches) at two fleet sizes, and a third at another step
    const run = (devices: number, batches: number) => ({ devices, batches, cpuSeconds: 3 * batches + 20 * devices });
    const fit = fitStreamCpu([run(16, 165), run(64, 165), run(32, 83)]);
    expect(fit.perBatch).toBeCloseTo(3, 9);
    expect(fit.perDevice).toBeCloseTo(20, 9);
  });

  it('refuses one fleet size, which cannot tell the two apart', () => {
    expect(() => fitStreamCpu([{ devices: 16, batches: 165, cpuSeconds: 800 }, { devices: 16, batches: 83, cpuSeconds: 600 }])).toThrow(/two fleet sizes/);
  });
});

describe('medianP90', () => {
  it('gives the median (the middle two averaged) and the nearest-rank 90th percentile', () => {
    expect(medianP90([])).toBeNull();
    expect(medianP90([5])).toEqual({ median: 5, p90: 5 });
    expect(medianP90([4, 1, 3, 2])).toEqual({ median: 2, p90: 4 });
    expect(medianP90([10, 20, 30, 40, 50, 60, 70, 80, 90, 100])).toEqual({ median: 50, p90: 90 });
  });
});

describe('phaseTotals', () => {
  it('sums each phase over the micro-batches in seconds, largest first, and the device-days seen and rebuilt, the state folders read and runs written, skipping batches without figures', () => {
    const t = phaseTotals([
      { phasesMs: { score: 1500, validate: 500 }, scoringCpuMs: { early: 200, final: 800 }, devicesSeen: 16, devicesScored: 3, daysDecided: { final: 0, early: 1 }, stateFoldersRead: 9, stateRunsWritten: 1 },
      { phasesMs: { score: 500, write_final: 3000 }, devicesSeen: 16, devicesScored: 16, daysDecided: { final: 2, early: 1 }, stateFoldersRead: 12, stateRunsWritten: 0 },
      {},
    ]);
    expect(t.wall).toEqual([['write_final', 3], ['score', 2], ['validate', 0.5]]);
    expect(t.scoringCpu).toEqual([['final', 0.8], ['early', 0.2]]);
    expect(t.devices).toEqual({ seen: 32, scored: 19 });
    expect(t.daysDecided).toEqual({ final: 2, early: 2 });
    expect(t.state).toEqual({ foldersRead: 21, mostRead: 12, runsWritten: 1 });
    expect(phaseTotals([])).toEqual({ wall: [], scoringCpu: [], devices: { seen: 0, scored: 0 }, daysDecided: {}, state: { foldersRead: 0, mostRead: 0, runsWritten: 0 } });
  });
});
