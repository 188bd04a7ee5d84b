/**
 * Whether a leak to ground blocks its string, window by window: what the evaluation
 * reports leaks by (summary.ts leaksByBlocking), to show where the four channels stop
 * telling a leak from an open string.
 *
 * The simulator's leak (simulator/faults.ts line_ground) is a resistance from a node
 * `count` modules above the grounded end. The modules below the node carry the string's
 * current plus the leak's, so their voltage falls; a large leak, or a dim sky (less
 * current to hold the voltage up against the resistance), collapses them, and the
 * string's remaining voltage no longer reaches the array's maximum-power voltage: its
 * diode keeps it from conducting where the tracker operates, exactly as when the string
 * is open or shorted across two modules (decision.ts ALARM_GROUPS string_blocked). The
 * array then makes what it makes with the string open: that is the test here, on the
 * simulator's own array model (simulator/array.ts) at the window's measured irradiance
 * and module temperature, where the array's tracker settles (trackedPower: until
 * 2026-12-06 the array's global maximum, which a perturb-and-observe tracker on the
 * healthy strings' hill never reaches, so a leak that blocked its string as the sensors
 * saw it could count as conducting).
 */
import type { Design } from '../../contracts/design';
import type { DeviceDayRecord } from './records';
import { arrayCurve, powerScan, type StringCondition } from '../simulator/array';
import { calcParamsDesoto } from '../simulator/singleDiode';
import { moduleStc } from '../simulator/registry';

/** A leak that blocked its string in at least this share of its acting daylight windows is, for that day, a blocked string (decision.ts ALARM_GROUPS string_blocked covers it). */
export const BLOCKED_DAY_SHARE = 0.5;

/** Below this the array's power at its maximum equals the open string's: the leaking string adds nothing there (the scan's own resolution is ~1e-5). */
const SAME_POWER = 2e-3;
/** Windows dimmer than this are not judged (the sensor's offset and the diode's drop dominate). */
export const MIN_IRRADIANCE = 20;

const memo = new Map<string, boolean>();

/** The array's maximum power (W) of `design` with these string conditions (null: healthy) at `irradiance` W/m² and a module temperature of `temperature` °C, on the simulator's array model. */
export function maxPower(design: Design, conds: (StringCondition | null)[], irradiance: number, temperature: number): number {
  const base = calcParamsDesoto(irradiance, temperature, design.module);
  const curve = arrayCurve(design.layout, base, conds, (s) => calcParamsDesoto(irradiance * s, temperature, design.module));
  const { watts } = powerScan(curve, 1000);
  return watts.reduce((m, w) => Math.max(m, w), 0);
}

/**
 * The power (W) where the array's tracker settles: the simulator's tracker perturbs and
 * observes (simulator/mppt.ts), so it climbs the hill it stands on, and before a string
 * fails it stands at the healthy strings' maximum-power voltage (every morning it climbs
 * the same hill). A weak string's own hill, lower down the voltage, may hold more power
 * than the healthy strings' (the global maximum, maxPower) and yet never be reached: the
 * sensors read this hill's top, not the global one.
 */
export function trackedPower(design: Design, conds: (StringCondition | null)[], irradiance: number, temperature: number): number {
  const scaled = (s: number) => calcParamsDesoto(irradiance * s, temperature, design.module);
  const base = calcParamsDesoto(irradiance, temperature, design.module);
  const healthy = powerScan(arrayCurve(design.layout, base, conds.map(() => null), scaled), 1000);
  let top = 0;
  for (let k = 1; k < healthy.watts.length; k++) if (healthy.watts[k]! > healthy.watts[top]!) top = k;
  const vHealthy = healthy.volts[top]!;
  const { volts, watts } = powerScan(arrayCurve(design.layout, base, conds, scaled), 1000);
  // the scan point nearest the healthy maximum's voltage (the faulty curve's own scale is its vOc), then uphill
  let k = 0;
  for (let j = 1; j < volts.length; j++) if (Math.abs(volts[j]! - vHealthy) < Math.abs(volts[k]! - vHealthy)) k = j;
  for (;;) {
    if (k + 1 < watts.length && watts[k + 1]! > watts[k]!) k++;
    else if (k > 0 && watts[k - 1]! > watts[k]!) k--;
    else return watts[k]!;
  }
}

/**
 * Whether a leak from the node `count` modules above the grounded end of a string
 * (`first` the lowest module it spans, 0 for the simulator's leaks) through `resistance`
 * ohms blocks the string at the array's maximum power point, under `irradiance` W/m²
 * and a module temperature of `temperature` °C. Irradiance is rounded to 25 W/m² and
 * temperature to 2.5 °C (results are kept per design and leak).
 */
export function leakBlocksString(design: Design, leak: { first: number; count: number; resistance: number }, irradiance: number, temperature: number): boolean {
  const g = Math.max(MIN_IRRADIANCE, Math.round(irradiance / 25) * 25);
  const t = Math.round(temperature / 2.5) * 2.5;
  const key = `${design.name}|${leak.first}|${leak.count}|${leak.resistance}|${g}|${t}`;
  const known = memo.get(key);
  if (known !== undefined) return known;
  const strings = (faulty: StringCondition): (StringCondition | null)[] => Array.from({ length: design.layout.nStrings }, (_, s) => (s === 0 ? faulty : null));
  const leaking = trackedPower(design, strings({ short: leak }), g, t);
  const open = maxPower(design, strings({ open: true }), g, t);
  // the leaking string can only add current to the open string's array: the same power where the tracker settles means it adds none there
  const blocked = leaking <= open * (1 + SAME_POWER);
  memo.set(key, blocked);
  return blocked;
}

/** The windows' measured means as records keep them: per predicted window, meanVoltage, meanCurrent, meanTemperature, meanIrradiance (detector/alarms.ts WINDOW_MEAN_COLUMNS). */
export const MEAN_VOLTAGE = 0;
export const MEAN_CURRENT = 1;
export const MEAN_TEMPERATURE = 2;
export const MEAN_IRRADIANCE = 3;
export const MEANS = 4;

/**
 * The share of a leak's acting daylight windows in which it blocks its string (null
 * when none could be judged: no measured means, or every acting window too dim).
 * `windows`: the day's windows (skipped ones have a skipReason); `activeSlots`: per
 * window, the slots the fault acts on; `means`: per predicted window, its measured means.
 */
export function blockedShare(design: Design, leak: { first: number; count: number; resistance: number }, windows: readonly { skipReason: string | null }[], activeSlots: readonly number[], means: ArrayLike<number> | undefined): number | null {
  if (!means) return null;
  let judged = 0;
  let blocked = 0;
  let p = 0;
  windows.forEach((w, i) => {
    if (w.skipReason) return;
    const k = p++;
    if (!(activeSlots[i]! > 0)) return;
    const g = means[k * MEANS + MEAN_IRRADIANCE]!;
    const t = means[k * MEANS + MEAN_TEMPERATURE]!;
    if (!(g >= MIN_IRRADIANCE) || !Number.isFinite(t)) return;
    judged++;
    if (leakBlocksString(design, leak, g, t)) blocked++;
  });
  return judged === 0 ? null : blocked / judged;
}

/** A device-day's leak: the share of its acting daylight windows in which it blocked its string (blockedShare); null for any other fault, or when none could be judged. */
export function dayBlockedShare(record: Pick<DeviceDayRecord, 'evidence' | 'truth'>, design: Design): number | null {
  const { truth, evidence } = record;
  if (truth.fault !== 'line_ground') return null;
  return blockedShare(design, truth.severity as { first: number; count: number; resistance: number }, evidence.windows, truth.activeSlots, evidence.means);
}

/**
 * How hard a leak pulls on the modules under its node: the current it would draw at their
 * maximum-power voltage (STC), in units of their maximum-power current, count · V_mp ÷
 * (R · I_mp). At 1 or more it would take all they make there, so their voltage sags far
 * below it: in dim light the string is blocked (leakBlocksString), in bright light it
 * conducts with less of those modules' voltage, the signature of a short across part of
 * the string rather than of a small leak (test/eval/blocking.test.ts). The
 * resistance is physical (simulator/faults.ts: 20–200 Ω on any design), the modules'
 * impedance is not: about 10 Ω at the default design's maximum power point, 77 Ω on a
 * CdTe module, so the same leaks pull far harder there.
 */
export function leakDraw(design: Design, leak: { count: number; resistance: number }): number {
  const { vMp, iMp } = moduleStc(design.module);
  return (leak.count * vMp) / (leak.resistance * iMp);
}

/** A device-day's leak: leakDraw of its severity; null for any other fault, or a severity without a count and a resistance. */
export function dayLeakDraw(record: Pick<DeviceDayRecord, 'truth'>, design: Design): number | null {
  const { truth } = record;
  if (truth.fault !== 'line_ground') return null;
  const draw = leakDraw(design, truth.severity as { count: number; resistance: number });
  return Number.isFinite(draw) ? draw : null;
}
