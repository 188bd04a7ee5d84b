/**
 * Choosing the alarm thresholds on validation device-days for a false-alarm budget.
 *
 * Start where no healthy validation day raises anything (each label's threshold above
 * the highest evidence a healthy day reached), then lower one label's threshold at a
 * time, each step to just above the next healthy day's evidence, taking the step that
 * names the most faults per false alarm it adds, while the healthy days with an alarm
 * stay within the budget; finally move single labels, and each class with its group,
 * up or down while that names more (coordinate ascent: the labels compete for the same
 * windows, so a class may need a higher threshold for its group to name what the class
 * alone would name wrongly). The thresholds sit halfway between consecutive healthy
 * values, not on them, so that a day very like a validation day falls the same side.
 */
import { ALARM_GROUPS, ALARM_LABELS, alarmCandidates, outranks, type AlarmGroup, type AlarmLabel, type AlarmThresholds } from './alarms';

export interface CalibrationDay {
  /** evidence per label after each predicted window (evidenceTrace): trace[w * labels + l] */
  trace: Float64Array;
  healthy: boolean;
  /** the labels whose alarm names this day's fault (empty: healthy, or a fault the day cannot show) */
  right: ReadonlySet<AlarmLabel>;
  /** per group, the window at which a rule of the contract raises it, the end of its run of clear windows or its step (detector/alarms.ts raisedByRule: alarms.raise run, step), -1: none; absent: not counted */
  runs?: Readonly<Partial<Record<AlarmGroup, number>>>;
}

export interface Calibration {
  thresholds: AlarmThresholds;
  healthyDays: number;
  falseAlarms: number;
  faultyDays: number;
  named: number;
}

const L = ALARM_LABELS.length;
/** [class, group] label indices for each group and each of its members */
const GROUP_PAIRS: readonly [number, number][] = ALARM_GROUPS.flatMap((g) => alarmCandidates(g).map((c) => [ALARM_LABELS.indexOf(c as AlarmLabel), ALARM_LABELS.indexOf(g)] as [number, number]));

/** Per label, the running maximum of its evidence: the first window an evidence reaches h is found by bisection. */
interface Prepared {
  peaks: Float64Array[];
  healthy: boolean;
  right: ReadonlySet<AlarmLabel>;
}

function prepare(day: CalibrationDay): Prepared {
  const n = day.trace.length / L;
  const peaks = ALARM_LABELS.map((_, l) => {
    const p = new Float64Array(n);
    let m = 0;
    for (let w = 0; w < n; w++) p[w] = m = Math.max(m, day.trace[w * L + l]!);
    return p;
  });
  return { peaks, healthy: day.healthy, right: day.right };
}

function firstCrossing(peaks: Float64Array, h: number): number {
  if (peaks.length === 0 || peaks[peaks.length - 1]! < h) return -1;
  let lo = 0;
  let hi = peaks.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (peaks[mid]! >= h) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * The label the decision raises on a day, or null (detector/alarms.ts decideAlarm's
 * order): the earliest crossing; at one window, a class before a group, then the larger
 * evidence over threshold, then the lower index. Evidence at the crossing is the peak there.
 */
function raisedLabel(day: Prepared, h: readonly number[]): AlarmLabel | null {
  let best = -1;
  let bestAt = Infinity;
  let bestRatio = 0;
  for (let l = 0; l < L; l++) {
    const at = firstCrossing(day.peaks[l]!, h[l]!);
    if (at < 0) continue;
    // at its first crossing a label's running peak is its evidence there
    const ratio = day.peaks[l]![at]! / h[l]!;
    if (at < bestAt || (at === bestAt && outranks(l, ratio, best, bestRatio))) {
      best = l;
      bestAt = at;
      bestRatio = ratio;
    }
  }
  return best < 0 ? null : ALARM_LABELS[best]!;
}

function score(days: readonly Prepared[], h: readonly number[]): { falseAlarms: number; named: number } {
  let falseAlarms = 0;
  let named = 0;
  for (const d of days) {
    const label = raisedLabel(d, h);
    if (label === null) continue;
    if (d.healthy) falseAlarms++;
    else if (d.right.has(label)) named++;
  }
  return { falseAlarms, named };
}

/** The thresholds a label may take, highest first: a few above every healthy peak, then halfway points below each, ending at `floor`. */
function levels(values: number[], floor: number): number[] {
  const v = [...new Set(values)].sort((a, b) => b - a);
  const out: number[] = [];
  const top = v[0] ?? floor;
  // above every healthy day too: a class may have to wait for evidence its group gathers faster
  for (const above of [5, 3, 2, 1.5]) out.push(Math.max(floor, top * above + 0.1));
  out.push(Math.max(floor, top * 1.1 + 0.1));
  for (let i = 0; i < v.length; i++) {
    const below = v[i + 1] ?? Math.min(floor, v[i]!);
    const mid = (v[i]! + below) / 2;
    if (mid > floor) out.push(mid);
  }
  out.push(floor);
  return out;
}

/**
 * Thresholds for a budget of healthy days with an alarm (a share, e.g. 0.003). `floor`
 * is the lowest threshold a label may take: below one window's full score, a single
 * confident window would raise it.
 */
export function calibrateThresholds(days: readonly CalibrationDay[], budget: number, floor: number): Calibration {
  if (!(budget >= 0 && budget < 1)) throw new Error(`budget: ${budget} is not a share in [0, 1)`);
  if (!(floor > 0)) throw new Error(`floor: ${floor} must be positive`);
  const prepared = days.map(prepare);
  const healthy = prepared.filter((d) => d.healthy);
  const allowed = Math.floor(budget * healthy.length);
  const ladders = ALARM_LABELS.map((_, l) => levels(healthy.map((d) => d.peaks[l]![d.peaks[l]!.length - 1] ?? 0), floor));
  // the greedy descent starts just above the highest healthy day (the ladders' fifth level)
  const step = ALARM_LABELS.map(() => 4);
  let h = ladders.map((ladder, l) => ladder[step[l]!]!);
  let current = score(prepared, h);
  for (;;) {
    let best: { l: number; h: number[]; s: ReturnType<typeof score>; gain: number } | null = null;
    for (let l = 0; l < L; l++) {
      if (step[l]! + 1 >= ladders[l]!.length) continue;
      const next = [...h];
      next[l] = ladders[l]![step[l]! + 1]!;
      const s = score(prepared, next);
      if (s.falseAlarms > allowed) continue;
      const gain = (s.named - current.named) / Math.max(1, s.falseAlarms - current.falseAlarms);
      // a step that names nothing more is still taken when it costs nothing (it may open the way to the next)
      if (gain < 0 || (gain === 0 && s.falseAlarms > current.falseAlarms)) continue;
      if (!best || gain > best.gain) best = { l, h: next, s, gain };
    }
    if (!best) break;
    step[best.l]!++;
    h = best.h;
    current = best.s;
  }
  // then each label in turn may move to any level, up as well as down, while that names more within the budget:
  // lowering alone never raises a class's threshold above its group's, which a blocked string needs
  for (let improved = true; improved; ) {
    improved = false;
    for (let l = 0; l < L; l++) {
      for (let k = 0; k < ladders[l]!.length; k++) {
        if (k === step[l]) continue;
        const next = [...h];
        next[l] = ladders[l]![k]!;
        const s = score(prepared, next);
        if (s.falseAlarms > allowed || s.named <= current.named) continue;
        step[l] = k;
        h = next;
        current = s;
        improved = true;
      }
    }
    // a class and its group together: the group can only take a blocked string from the class that would name it
    // wrongly when both move (at the same window the class wins, so lowering the group alone changes nothing)
    for (const [c, g] of GROUP_PAIRS) {
      for (let kc = 0; kc < ladders[c]!.length; kc++) {
        for (let kg = 0; kg < ladders[g]!.length; kg++) {
          if (kc === step[c] && kg === step[g]) continue;
          const next = [...h];
          next[c] = ladders[c]![kc]!;
          next[g] = ladders[g]![kg]!;
          const s = score(prepared, next);
          if (s.falseAlarms > allowed || s.named <= current.named) continue;
          step[c] = kc;
          step[g] = kg;
          h = next;
          current = s;
          improved = true;
        }
      }
    }
  }
  return {
    thresholds: Object.fromEntries(ALARM_LABELS.map((label, l) => [label, h[l]!])) as AlarmThresholds,
    healthyDays: healthy.length,
    falseAlarms: current.falseAlarms,
    faultyDays: prepared.length - healthy.length,
    named: current.named,
  };
}

export interface RaiseCalibration {
  /** per group, the evidence at which a two-stage alarm raises it (≤ the group's threshold) */
  raise: Readonly<Record<AlarmGroup, number>>;
  healthyDays: number;
  /** healthy days alarmed by the thresholds or by a group's early raise */
  falseAlarms: number;
  /** of those, the healthy days only the second stage's run or step alarms (alarms.raise run, step) */
  byRun: number;
}

/**
 * Raise thresholds for a two-stage alarm (detector/alarms.ts decideAlarm with raise): a group
 * whose evidence reaches raise[g] raises the day's alarm at once, and the day's decision
 * under `thresholds` names it later. The thresholds spend the budget on naming; a raise
 * threshold costs only the healthy days it alarms that they leave quiet. Each group
 * takes the lowest level (halfway between consecutive healthy peaks, never under `floor`
 * nor above its threshold) that keeps the healthy days alarmed within the budget, the
 * groups one after the other in contract order. Lower is earlier: what a group raises
 * early, the thresholds would mostly raise too, only later.
 */
export function calibrateRaise(days: readonly CalibrationDay[], thresholds: AlarmThresholds, budget: number, floor: number): RaiseCalibration {
  if (!(budget >= 0 && budget < 1)) throw new Error(`budget: ${budget} is not a share in [0, 1)`);
  if (!(floor > 0)) throw new Error(`floor: ${floor} must be positive`);
  const healthy = days.filter((d) => d.healthy);
  const prepared = healthy.map(prepare);
  const allowed = Math.floor(budget * prepared.length);
  const h = ALARM_LABELS.map((label) => thresholds[label]);
  // a healthy day the thresholds alarm costs a raise threshold nothing
  const alarmed = prepared.map((d) => raisedLabel(d, h) !== null);
  // nor does one the second stage's run or step raises (alarms.raise run, step: not levels to choose, rules of the contract)
  const byRun = healthy.map((d, i) => !alarmed[i] && ALARM_GROUPS.some((g) => (d.runs?.[g] ?? -1) >= 0));
  byRun.forEach((r, i) => (alarmed[i] ||= r));
  // thresholds that already spend more than the budget (a floor above the healthy peaks) leave the raise that much, no more
  const limit = Math.max(allowed, alarmed.filter(Boolean).length);
  const raise = {} as Record<AlarmGroup, number>;
  for (const g of ALARM_GROUPS) {
    const l = ALARM_LABELS.indexOf(g);
    const peak = (d: Prepared) => d.peaks[l]![d.peaks[l]!.length - 1] ?? 0;
    const count = (r: number) => prepared.reduce((n, d, i) => n + (alarmed[i] || peak(d) >= r ? 1 : 0), 0);
    // the ladder runs from high to low: the last level within the budget is the lowest
    let chosen = h[l]!;
    for (const r of levels(prepared.map(peak), floor)) {
      if (r > h[l]!) continue;
      if (count(r) > limit) break;
      chosen = r;
    }
    raise[g] = chosen;
    prepared.forEach((d, i) => (alarmed[i] ||= peak(d) >= chosen));
  }
  return { raise, healthyDays: prepared.length, falseAlarms: alarmed.filter(Boolean).length, byRun: byRun.filter(Boolean).length };
}
