/**
 * How well the arrays' own baselines fit them: over the counted healthy device-days
 * judged against their own baseline, the spread of the day's relative ratio of
 * current to irradiance (q = r / R, R the plant-day's median r: detector/baseline.ts)
 * across the fleet, and of the same ratio against the array's baseline (q / gain).
 * The first is what a leak must stand out from without a baseline, the second with one.
 */
import { median } from '../baseline';
import type { DeviceDayRecord } from './records';

export interface BaselineFit {
  healthyDeviceDays: number;
  /** standard deviation of q across the healthy arrays, as a share (0.027: 2.7 %) */
  fleetSpread: number | null;
  /** standard deviation of q / gain */
  ownSpread: number | null;
}

function sd(xs: readonly number[]): number | null {
  if (xs.length < 2) return null;
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
}

/** `plantDays`: each counted plant-day's records (all its devices: the fleet's median ratio is over them all). */
export function baselineFit(plantDays: readonly (readonly DeviceDayRecord[])[]): BaselineFit {
  const fleet: number[] = [];
  const own: number[] = [];
  for (const records of plantDays) {
    const R = median(records.flatMap((r) => (r.evidence.ratio === null ? [] : [r.evidence.ratio])));
    if (R === null) continue;
    for (const { evidence, truth } of records) {
      if (truth.fault !== 'normal' || evidence.ratio === null || evidence.baselineGain === null) continue;
      const q = evidence.ratio / R;
      fleet.push(q);
      own.push(q / evidence.baselineGain);
    }
  }
  return { healthyDeviceDays: own.length, fleetSpread: sd(fleet), ownSpread: sd(own) };
}
