/**
 * How the alarms of another window scoring (npm run eval --scoring end-…, the
 * stream's as-of-end scalograms) stand to the daily batch's on the same
 * device-days: the same alarm (label, and onset within one window), another
 * onset, another label, or an alarm only one of them raised. Issue 22 holds the
 * stream to "same devices and classes, onsets within one window"; `leadMinutes`
 * is how much earlier (positive) the other scoring raised the alarms both raised
 * alike, window end to window end, before any wait for context or lateness.
 */
import { WINDOW_MS } from '../windows';
import type { Alarm } from './decision';

export type AgreementKind = 'same' | 'onset' | 'label' | 'only-this' | 'only-batch' | 'neither';

export interface Agreement {
  kind: AgreementKind;
  /** for alarms alike ('same'): batch raised − this one raised, minutes */
  leadMinutes: number | null;
}

export interface AgreementSummary {
  deviceDays: number;
  kinds: Record<AgreementKind, number>;
  /** of the device-days either scoring alarmed: the share alike */
  alikeShare: number | null;
  /** over the alarms alike: how much earlier this scoring raised them, median and 10th/90th percentiles (nearest rank), minutes */
  lead: { median: number; p10: number; p90: number } | null;
}

export const AGREEMENT_KINDS: readonly AgreementKind[] = ['same', 'onset', 'label', 'only-this', 'only-batch', 'neither'];

export function agreementOf(alarm: Alarm | null, batch: Alarm | null): Agreement {
  if (!alarm && !batch) return { kind: 'neither', leadMinutes: null };
  if (!batch) return { kind: 'only-this', leadMinutes: null };
  if (!alarm) return { kind: 'only-batch', leadMinutes: null };
  if (alarm.label !== batch.label) return { kind: 'label', leadMinutes: null };
  if (Math.abs(alarm.onsetMs - batch.onsetMs) > WINDOW_MS) return { kind: 'onset', leadMinutes: null };
  return { kind: 'same', leadMinutes: (batch.raisedMs - alarm.raisedMs) / 60_000 };
}

function nearestRank(sorted: readonly number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

export function agreementSummary(all: readonly Agreement[]): AgreementSummary {
  const kinds = Object.fromEntries(AGREEMENT_KINDS.map((k) => [k, all.filter((a) => a.kind === k).length])) as Record<AgreementKind, number>;
  const alarmed = all.length - kinds.neither;
  const leads = all.flatMap((a) => (a.leadMinutes === null ? [] : [a.leadMinutes])).sort((a, b) => a - b);
  return {
    deviceDays: all.length,
    kinds,
    alikeShare: alarmed ? kinds.same / alarmed : null,
    lead: leads.length ? { median: nearestRank(leads, 0.5), p10: nearestRank(leads, 0.1), p90: nearestRank(leads, 0.9) } : null,
  };
}
