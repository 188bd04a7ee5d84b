/**
 * The product before alarms (gold contract version 1), kept as the evaluation's
 * baseline: the day verdict of the gold summary — the most frequent fault with at
 * least MIN_FAULT_WINDOWS windows and MIN_FAULT_SHARE of the day's predicted windows
 * (ties to the lower class), else normal — read as an alarm. Its class and onset were
 * the summary's dominantLabel and firstSeenMs. The summary has no raise time (it is
 * written once the day is over); the alarm is taken as raised at the end of the first
 * window by which the same rule, applied to the day's predicted windows so far, names
 * the verdict's class: the earliest moment a streaming run of today's rule would have
 * shown it. Confidence: the class's share of the day's predicted windows.
 */
import { FAULT_CLASSES } from '../../contracts';
import { windowClass } from '../gold';
import type { Decision, DeviceDayEvidence } from './decision';

const K = FAULT_CLASSES.length;
const MIN_FAULT_WINDOWS = 2;
const MIN_FAULT_SHARE = 0.3;

/**
 * The rule on per-class window counts out of `predicted` windows: the class index of
 * the verdict, 0 (normal) when no fault qualifies, null when nothing was predicted.
 */
export function verdictOf(counts: readonly number[], predicted: number): number | null {
  if (predicted === 0) return null;
  let bestFault = 0;
  for (let c = 1; c < counts.length; c++) {
    const enough = counts[c]! >= MIN_FAULT_WINDOWS && counts[c]! >= MIN_FAULT_SHARE * predicted;
    if (enough && (bestFault === 0 || counts[c]! > counts[bestFault]!)) bestFault = c;
  }
  return bestFault;
}

function decide(day: DeviceDayEvidence): ReturnType<Decision['decide']> {
  const labels: { cls: number; startMs: number; endMs: number }[] = [];
  const counts = new Array<number>(K).fill(0);
  for (const w of day.windows) {
    if (w.skipReason) continue;
    const cls = windowClass(day.probs, labels.length * K);
    counts[cls]!++;
    labels.push({ cls, startMs: w.startMs, endMs: w.endMs });
  }
  if (labels.length * K !== day.probs.length) throw new Error(`verdict decision, ${day.deviceId} ${day.date}: ${day.probs.length / K} probability rows for ${labels.length} predicted windows`);
  const verdict = verdictOf(counts, labels.length);
  if (!verdict) return { alarm: null };
  const soFar = new Array<number>(K).fill(0);
  let raisedMs = labels.at(-1)!.endMs;
  for (let j = 0; j < labels.length; j++) {
    soFar[labels[j]!.cls]!++;
    if (verdictOf(soFar, j + 1) === verdict) {
      raisedMs = labels[j]!.endMs;
      break;
    }
  }
  const label = FAULT_CLASSES[verdict]!;
  return { alarm: { label, candidates: [label], onsetMs: labels.find((l) => l.cls === verdict)!.startMs, raisedMs, confidence: counts[verdict]! / labels.length } };
}

export const verdictDecision: Decision = {
  name: 'verdict',
  description:
    "the former day verdict (a fault on ≥ 2 and ≥ 30 % of the day's predicted windows, gold contract version 1) as the alarm, onset at its first window, raised at the end of the first window by which the rule applied to the windows so far names it",
  decide,
};
