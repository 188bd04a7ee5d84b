/** The fleet's order and filter, the alarm list's rows, the plant's condition and a day's window list: pure functions of the API's answers and the view. */
import type { Fleet, PlantEvent, Predictions } from './api';
import { labelText } from './colors';
import type { SortKey } from './viewState';

/** Whether a verdict falls under the filter: a class matches the alarms that name it, alone or in a group (as /faults?label= does). */
export function matchesFilter(verdict: string | null, filter: string | null, labels: Fleet['labels']): boolean {
  if (filter === null) return true;
  if (verdict === null || verdict === 'normal') return false;
  return verdict === filter || (labels[verdict] ?? []).includes(filter);
}

export function isAlarm(verdict: string | null): boolean {
  return verdict !== null && verdict !== 'normal';
}

/**
 * The devices the grid shows, as indices into the fleet's columns: alarms first
 * (grouped by label, in the API's label order), then normal, then those without
 * data; by id within each. With a filter, only the alarms it matches.
 */
export function gridOrder(fleet: Fleet, filter: string | null): number[] {
  const labelRank = new Map(Object.keys(fleet.labels).map((l, i) => [l, i]));
  const rank = (v: string | null) => (v === null ? 1e6 : v === 'normal' ? 1e5 : (labelRank.get(v) ?? 1e4));
  const { verdict } = fleet.devices;
  const out: number[] = [];
  for (let k = 0; k < fleet.count; k++) if (matchesFilter(verdict[k] ?? null, filter, fleet.labels)) out.push(k);
  // the columns come in id order: a stable sort by rank keeps ids ascending within a rank
  return out.sort((a, b) => rank(verdict[a] ?? null) - rank(verdict[b] ?? null));
}

export interface AlarmRow {
  index: number;
  deviceId: string;
  label: string;
  onset: string;
  raised: string;
  /** since when the fault has been alarmed ('' when not recorded) */
  openSince: string;
  confidence: number;
  judgedAgainst: string;
  /** the array's design ('' when the day has none recorded), and whether it is the default for want of a registry row */
  design: string;
  designDefault: boolean;
}

/** The alarms of the day under the filter, sorted by a column (ties by device id). */
export function alarmRows(fleet: Fleet, filter: string | null, sort: SortKey, descending: boolean): AlarmRow[] {
  const d = fleet.devices;
  const rows: AlarmRow[] = [];
  for (let k = 0; k < fleet.count; k++) {
    const v = d.verdict[k] ?? null;
    if (!isAlarm(v) || !matchesFilter(v, filter, fleet.labels)) continue;
    rows.push({ index: k, deviceId: d.deviceId[k]!, label: v!, onset: d.onset[k] ?? '', raised: d.raised[k] ?? '', openSince: d.openSince?.[k] ?? '', confidence: d.confidence[k] ?? 0, judgedAgainst: d.judgedAgainst[k]!, design: d.design?.[k]?.name ?? '', designDefault: d.design?.[k]?.default ?? false });
  }
  const key: Record<SortKey, (r: AlarmRow) => string | number> = {
    device: (r) => r.deviceId,
    label: (r) => r.label,
    // not recorded: after every known time, longest open first when ascending
    since: (r) => r.openSince || '~',
    onset: (r) => r.onset,
    raised: (r) => r.raised,
    confidence: (r) => r.confidence,
  };
  const f = key[sort];
  const sign = descending ? -1 : 1;
  return rows.sort((a, b) => {
    const x = f(a);
    const y = f(b);
    if (x !== y) return x < y ? -sign : sign;
    return a.deviceId < b.deviceId ? -1 : 1;
  });
}

/** How the page names what a plant condition was (gold_plant_condition kind). */
export const CONDITION_TEXT: Record<PlantEvent['kind'], string> = {
  standby: 'converter standby',
  power_limit: 'power limit (curtailment or clipping)',
  snow: 'snow',
  frost: 'frost',
  dew: 'dew',
  unknown: 'a plant-wide condition',
};

/**
 * The plant's condition of the day in a line ("Plant condition: frost 08:14–10:01 (5
 * windows): set aside, not faults."), or null on an ordinary day. `time` formats an
 * instant as the plant's HH:MM. A day predicted before the conditions were recorded has
 * only the count of windows set aside.
 */
export function plantConditionText(fleet: Pick<Fleet, 'plantEventWindows' | 'plantConditions'>, time: (iso: string) => string): string | null {
  const spans = fleet.plantConditions ?? [];
  if (!fleet.plantEventWindows && spans.length === 0) return null;
  if (spans.length === 0) return `Plant condition: ${fleet.plantEventWindows} window${fleet.plantEventWindows === 1 ? '' : 's'} set aside, not faults.`;
  const what = spans.map((e) => `${CONDITION_TEXT[e.kind] ?? e.kind} ${time(e.start)}–${time(e.end)} (${e.windows} window${e.windows === 1 ? '' : 's'})`).join(', ');
  return `Plant condition: ${what}: set aside, not faults.`;
}

/** Whether a window (by its start) lies in the plant's condition. */
export function inPlantEvent(start: string, plantEvents: readonly PlantEvent[]): boolean {
  const t = Date.parse(start);
  return plantEvents.some((e) => Date.parse(e.start) <= t && t < Date.parse(e.end));
}

export interface WindowChoice {
  index: number;
  text: string;
}

/**
 * The windows a scalogram can be shown for: the day's predicted ones (a skipped window
 * had no model input), each with its time, the model's label and probability, and
 * marks where the alarm's evidence began and where the plant's condition set it aside.
 */
export function windowChoices(p: Predictions, plantEvents: readonly PlantEvent[], time: (iso: string) => string): WindowChoice[] {
  const onset = p.summary.alarm ? Date.parse(p.summary.alarm.onset) : NaN;
  return p.windows
    .filter((w) => w.status === 'predicted')
    .map((w) => {
      const marks = [Date.parse(w.start) === onset ? 'alarm onset' : '', inPlantEvent(w.start, plantEvents) ? 'plant condition' : ''].filter(Boolean);
      return { index: w.index, text: `${w.index}: ${time(w.start)}–${time(w.end)}, ${labelText(w.label)}${w.confidence === null ? '' : ` ${w.confidence.toFixed(2)}`}${marks.length ? ` (${marks.join(', ')})` : ''}` };
    });
}

/**
 * Since when an alarm has been open, as the alarm table and the device's view say it:
 * the time alone when it opened on the day shown, the plant-local date and time when it
 * opened on an earlier day (an alarm carried from day to day while the fault goes on),
 * '–' when not recorded (a day predicted before the API had it).
 */
export function openSinceText(openSince: string | null | undefined, date: string, timeZone: string): string {
  if (!openSince) return '–';
  const t = new Date(openSince);
  const day = t.toLocaleDateString('en-CA', { timeZone });
  const clock = t.toLocaleTimeString('en-GB', { timeZone, hour: '2-digit', minute: '2-digit' });
  return day === date ? clock : `${day} ${clock}`;
}
