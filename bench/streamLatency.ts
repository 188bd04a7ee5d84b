/**
 * The stream's latency counted as `npm run eval` counts a delay (detector/eval/outcome.ts),
 * from the simulator's truth rather than from the alarm's own onset: an alarm's onset is
 * where its evidence run starts, which moves with the decision (the second stage can start
 * it earlier), so latencies counted from it cannot be set beside each other nor beside the
 * issue's goal. Here a fault's latency runs from its delay start (its onset, or the start
 * of the first daylight window it acts in when that is later) to the plant time the stream
 * had reached when it wrote the alarm (detectedMs), in plant minutes, over the visible
 * faults whose alarm names them; grouped by when the fault began, as the eval's table is.
 */
import type { FaultClass, SkipReason } from '../contracts';
import type { Design } from '../contracts/design';
import { ALARM_GROUPS, type EvidenceWindow } from '../detector/eval/decision';
import { actingWindows, beganOf, delayStartMs, namesFault, type Outcome } from '../detector/eval/outcome';
import { activeSlotsIn } from '../detector/eval/records';
import { medianP90 } from '../local/streamJob';

/** A device-day's truth, as the simulator gives it (DeviceDay.truth). */
export interface TruthOfDay {
  deviceId: string;
  design: Design;
  fault: FaultClass;
  onsetMs: number | null;
  severity: Record<string, number | boolean>;
  /** the intervals the fault acts in */
  active: readonly [number, number][];
}

/** A window of the day as the stream scored it (its final tier's gold_window rows: the batch's). */
export interface ScoredWindow {
  deviceId: string;
  startMs: number;
  endMs: number;
  /** null: the model classified it (a daylight window) */
  skipReason: SkipReason | null;
}

export interface StreamAlarmSeen {
  deviceId: string;
  label: string;
  detectedMs: number;
}

export interface FaultLatency {
  deviceId: string;
  fault: FaultClass;
  began: NonNullable<Outcome['began']>;
  /** the tier's alarm of the device, if any */
  alarm: string | null;
  /** the alarm names the fault (its class, or a group covering it; a leak's group needs its blocked share, which the stream does not give: not counted) */
  named: boolean;
  /** plant minutes from the delay start to the alarm's detection; null when not named */
  minutes: number | null;
}

/**
 * Per visible fault (acting in at least two daylight windows), what the tier's alarm made of it.
 * `windows`: the day's windows of every device, daylight or not; a device without any is left out.
 * `labels`: the early tier's later messages for alarms it published as their group (the label the
 * day gave them): a fault its alarm did not name and its label does is named when the label came,
 * as the eval counts a relabelled alarm (outcome.ts namedAtMs).
 */
export function faultLatencies(truths: readonly TruthOfDay[], windows: readonly ScoredWindow[], alarms: readonly StreamAlarmSeen[], dayStartMs: number, labels: readonly StreamAlarmSeen[] = []): FaultLatency[] {
  const byDevice = new Map<string, EvidenceWindow[]>();
  for (const w of windows) {
    const list = byDevice.get(w.deviceId) ?? [];
    list.push({ startMs: w.startMs, endMs: w.endMs, skipReason: w.skipReason });
    byDevice.set(w.deviceId, list);
  }
  const alarmOf = new Map(alarms.map((a) => [a.deviceId, a]));
  const labelOf = new Map(labels.map((a) => [a.deviceId, a]));
  const out: FaultLatency[] = [];
  for (const t of truths) {
    if (t.fault === 'normal') continue;
    // one row per window (a compacted state may hold a window twice)
    const own = [...new Map((byDevice.get(t.deviceId) ?? []).map((w) => [w.startMs, w])).values()].sort((a, b) => a.startMs - b.startMs);
    if (own.length === 0) continue;
    const activeSlots = own.map((w) => activeSlotsIn(t.active, w.startMs, w.endMs));
    if (actingWindows(own, activeSlots) < 2) continue;
    const from = delayStartMs(own, t.onsetMs, activeSlots);
    const began = beganOf(own, t.onsetMs, from, dayStartMs);
    if (from === null || !began) continue;
    const truth = { fault: t.fault, severity: t.severity };
    const first = alarmOf.get(t.deviceId) ?? null;
    const label = labelOf.get(t.deviceId) ?? null;
    // the alarm that first named the fault: the first one, else its later label
    const naming = namesFault(first, truth, t.design, null) ? first : first && namesFault(label, truth, t.design, null) ? label : null;
    out.push({ deviceId: t.deviceId, fault: t.fault, began, alarm: naming?.label ?? first?.label ?? null, named: naming !== null, minutes: naming ? (naming.detectedMs - from) / 60_000 : null });
  }
  return out;
}

/** The lines bench:stream prints for a tier: named of visible, and the latency's median and p90, overall and by when the fault began. */
export function latencyLines(tier: string, rows: readonly FaultLatency[]): string[] {
  const line = (label: string, list: readonly FaultLatency[]) => {
    const named = list.filter((r) => r.named);
    const m = medianP90(named.map((r) => r.minutes!));
    return `  ${label.padEnd(12)} ${String(named.length).padStart(3)} of ${String(list.length).padStart(3)} visible faults named${m ? `; latency median ${m.median.toFixed(0)}, p90 ${m.p90.toFixed(0)} plant min` : ''}`;
  };
  const out = [`${tier} alarms against the simulator's truth (from the fault's onset, or its first daylight window acting; npm run eval's delay start; goal: median <= 25, p90 <= 45):`, line('all', rows)];
  for (const began of ['earlier-day', 'overnight', 'in-daylight'] as const) {
    const list = rows.filter((r) => r.began === began);
    if (list.length > 0) out.push(line(began, list));
  }
  const unnamed = rows.filter((r) => !r.named && r.alarm !== null && ALARM_GROUPS.some((g) => g.name === r.alarm) && r.fault === 'line_ground');
  if (unnamed.length > 0) out.push(`  (${unnamed.length} leak(s) alarmed as a group are not counted as named: whether the leak blocked its string needs the eval's array model)`);
  return out;
}
