/** The eval's measure of how well the arrays' own baselines fit them (detector/eval/baselineFit.ts). */
import { baselineFit } from '../../detector/eval/baselineFit';
import type { DeviceDayRecord } from '../../detector/eval/records';

function record(ratio: number | null, gain: number | null, fault = 'normal'): DeviceDayRecord {
  return {
    plantDay: 'p',
    evidence: { deviceId: 'PV-000001', date: '2026-06-15', windows: [], probs: new Float32Array(0), baselineDays: gain === null ? 0 : 2, baselineGain: gain, ratio },
    truth: { fault: fault as never, onsetMs: null, severity: {}, severityGroup: 'normal', intermittent: false, sky: 'clear', activeSlots: [] },
  };
}

describe('how well the baselines fit', () => {
  it('measures the healthy arrays with a baseline, against the fleet median of all arrays of their plant-day and against their gain', () => {
    // fleet median ratio 0.01 (the faulty array's low ratio counts in it); the healthy ones read 2 % high and 2 % low, each as its baseline says
    const day = [record(0.0102, 1.02), record(0.0098, 0.98), record(0.01, null), record(0.008, 0.99, 'line_ground'), record(0.012, null), record(null, 1)];
    const fit = baselineFit([day]);
    expect(fit.healthyDeviceDays).toBe(2);
    expect(fit.fleetSpread).toBeCloseTo(0.02, 10);
    expect(fit.ownSpread).toBeCloseTo(0, 10);
  });

  it('says nothing without two such device-days', () => {
    expect(baselineFit([[record(0.01, null)]])).toEqual({ healthyDeviceDays: 0, fleetSpread: null, ownSpread: null });
  });
});
