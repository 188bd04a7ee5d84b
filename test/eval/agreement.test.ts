/** How another scoring's alarms stand to the batch's (detector/eval/agreement.ts). */
import { agreementOf, agreementSummary } from '../../detector/eval/agreement';
import type { Alarm } from '../../detector/eval/decision';
import { WINDOW_MS } from '../../detector/windows';

const alarm = (label: string, onsetMs: number, raisedMs: number): Alarm => ({ label, candidates: [], onsetMs, raisedMs, confidence: 1 });

describe('alarms against the batch\'s', () => {
  it('tells alike, another onset, another label, and an alarm only one of them raised', () => {
    const batch = alarm('arc_fault', 10 * WINDOW_MS, 12 * WINDOW_MS);
    expect(agreementOf(null, null)).toEqual({ kind: 'neither', leadMinutes: null });
    expect(agreementOf(alarm('arc_fault', 9 * WINDOW_MS, 10 * WINDOW_MS), batch)).toEqual({ kind: 'same', leadMinutes: (2 * WINDOW_MS) / 60_000 });
    expect(agreementOf(alarm('arc_fault', 11 * WINDOW_MS, 13 * WINDOW_MS), batch).leadMinutes).toBeCloseTo(-WINDOW_MS / 60_000, 9);
    expect(agreementOf(alarm('arc_fault', 8 * WINDOW_MS - 1, 12 * WINDOW_MS), batch).kind).toBe('onset');
    expect(agreementOf(alarm('open_circuit', 10 * WINDOW_MS, 12 * WINDOW_MS), batch).kind).toBe('label');
    expect(agreementOf(batch, null).kind).toBe('only-this');
    expect(agreementOf(null, batch).kind).toBe('only-batch');
  });

  it('sums the kinds and takes the lead over the alike alarms only (nearest rank)', () => {
    const s = agreementSummary([
      { kind: 'same', leadMinutes: 0 },
      { kind: 'same', leadMinutes: 21 },
      { kind: 'same', leadMinutes: 42 },
      { kind: 'label', leadMinutes: null },
      { kind: 'neither', leadMinutes: null },
    ]);
    expect(s.deviceDays).toBe(5);
    expect(s.kinds).toEqual({ same: 3, onset: 0, label: 1, 'only-this': 0, 'only-batch': 0, neither: 1 });
    expect(s.alikeShare).toBe(0.75);
    expect(s.lead).toEqual({ median: 21, p10: 0, p90: 42 });
    expect(agreementSummary([{ kind: 'neither', leadMinutes: null }])).toMatchObject({ alikeShare: null, lead: null });
  });
});
