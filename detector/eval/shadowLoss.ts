/**
 * How much of the array's power a shadow took, as the array's own sensors saw it: what
 * the evaluation reports shadows by (summary.ts shadowsByLoss), to show where the four
 * channels stop telling a shadow from a healthy day.
 *
 * The simulator's shadow (simulator/faults.ts partial_shading) blocks only the beam: under
 * a sky that lets little beam through (mostly cloudy) it takes little, however deep it is,
 * and an array that makes what a healthy one makes cannot be told from one. The measure
 * here reads only what a plant has: each daylight window's measured means. Its power
 * (mean voltage × mean current) is divided by what the design's healthy array makes at the
 * window's measured irradiance and module temperature (the simulator's array model, as
 * blocking.ts uses it), which takes the temperature and low light out; the sensors' gains
 * and the model's own error cancel against the same day's windows the shadow did not act
 * in. The loss is 1 − (median ratio of the windows it acted in for at least half their
 * slots) ÷ (median ratio of the windows it did not act in).
 */
import type { Design } from '../../contracts/design';
import { median } from '../baseline';
import { WINDOW } from '../windows';
import type { DeviceDayRecord } from './records';
import { maxPower, MEAN_CURRENT, MEAN_IRRADIANCE, MEAN_TEMPERATURE, MEAN_VOLTAGE, MEANS } from './blocking';

/** Windows dimmer than this are not judged: the sensors' offsets and the model's low-light error weigh too much there. */
export const MIN_IRRADIANCE = 100;
/** The fewest windows the shadow did not act in for the day's reference. */
const MIN_REFERENCE = 2;

const memo = new Map<string, number>();

/** The design's healthy array's maximum power (W) at `irradiance` W/m² rounded to 10 and `temperature` °C rounded to 1 (kept per design). */
export function healthyPower(design: Design, irradiance: number, temperature: number): number {
  const g = Math.round(irradiance / 10) * 10;
  const t = Math.round(temperature);
  const key = `${design.name}|${g}|${t}`;
  const known = memo.get(key);
  if (known !== undefined) return known;
  const p = maxPower(design, Array.from({ length: design.layout.nStrings }, () => null), g, t);
  memo.set(key, p);
  return p;
}

/**
 * The share of the array's power a shadow took on its day (module docstring), or null when
 * it cannot be judged: no measured means, fewer than two bright windows it did not act in,
 * or no bright window it acted in for at least half its slots. `windows`: the day's
 * windows (skipped ones have a skipReason); `activeSlots`: per window, the slots the fault
 * acts on; `means`: per predicted window, its measured means.
 */
export function shadowLoss(design: Design, windows: readonly { skipReason: string | null }[], activeSlots: readonly number[], means: ArrayLike<number> | undefined): number | null {
  if (!means) return null;
  const clear: number[] = [];
  const shaded: number[] = [];
  let p = 0;
  windows.forEach((w, i) => {
    if (w.skipReason) return;
    const k = p++;
    const g = means[k * MEANS + MEAN_IRRADIANCE]!;
    const t = means[k * MEANS + MEAN_TEMPERATURE]!;
    if (!(g >= MIN_IRRADIANCE) || !Number.isFinite(t)) return;
    const model = healthyPower(design, g, t);
    if (!(model > 0)) return;
    const ratio = (means[k * MEANS + MEAN_VOLTAGE]! * means[k * MEANS + MEAN_CURRENT]!) / model;
    if (!Number.isFinite(ratio)) return;
    const acting = activeSlots[i]!;
    if (acting === 0) clear.push(ratio);
    else if (acting >= WINDOW / 2) shaded.push(ratio);
  });
  if (clear.length < MIN_REFERENCE || shaded.length === 0) return null;
  // both lists are non-empty here
  const reference = median(clear)!;
  return reference > 0 ? 1 - median(shaded)! / reference : null;
}

/** A device-day's shadow: the share of the array's power it took (shadowLoss); null for any other fault, or when it cannot be judged. */
export function dayShadowLoss(record: Pick<DeviceDayRecord, 'evidence' | 'truth'>, design: Design): number | null {
  const { truth, evidence } = record;
  if (truth.fault !== 'partial_shading') return null;
  return shadowLoss(design, evidence.windows, truth.activeSlots, evidence.means);
}
