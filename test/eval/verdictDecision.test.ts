/** The former product's decision, the evaluation's baseline: the majority-vote day verdict, raised when the rule on the windows so far first names it. */
import { FAULT_CLASSES } from '../../contracts';
import type { DeviceDayEvidence } from '../../detector/eval/decision';
import { verdictDecision } from '../../detector/eval/verdictDecision';
import type { WindowInfo } from '../../detector/windows';

const K = FAULT_CLASSES.length;
const W = 1_280_000;

/** A device-day from window labels (null: skipped), each predicted window certain of its label. */
function evidence(labels: (string | null)[]): { day: DeviceDayEvidence; windows: WindowInfo[] } {
  const windows: WindowInfo[] = labels.map((l, i) => ({ index: i, startMs: i * W, endMs: (i + 1) * W, skipReason: l === null ? 'low_irradiance' : null, missingFraction: 0, meanIrradiance: 0 }));
  const predicted = labels.filter((l): l is string => l !== null);
  const probs = new Float32Array(predicted.length * K);
  predicted.forEach((l, k) => {
    for (let c = 0; c < K; c++) probs[k * K + c] = FAULT_CLASSES[c] === l ? 0.7 : 0.06;
  });
  return { day: { deviceId: 'PV-000001', date: '2026-06-15', windows, probs, baselineDays: 0, baselineGain: null, ratio: null }, windows };
}

describe('the verdict decision', () => {
  it('raises no alarm on a normal day, on scattered fault windows or without predicted windows', () => {
    expect(verdictDecision.decide(evidence(['normal', 'normal', 'normal']).day, []).alarm).toBeNull();
    expect(verdictDecision.decide(evidence([...Array(20).fill('normal'), 'open_circuit', 'line_line', 'open_circuit']).day, []).alarm).toBeNull();
    expect(verdictDecision.decide(evidence([null, null]).day, []).alarm).toBeNull();
  });

  it('names the verdict, with onset at its first window and the raise where the rule on the windows so far first names it', () => {
    // windows so far: after 2 (arc, arc) the rule names arc_fault (2 windows, 100 %)
    const { alarm } = verdictDecision.decide(evidence([null, 'arc_fault', 'arc_fault', 'normal', 'normal', 'normal', 'normal']).day, []);
    expect(alarm).toEqual({ label: 'arc_fault', candidates: ['arc_fault'], onsetMs: W, raisedMs: 3 * W, confidence: 2 / 6 });
  });

  it('a fault late in the day is raised only once it holds 30 % of the windows so far', () => {
    const labels = [...Array(6).fill('normal'), 'line_ground', 'line_ground', 'line_ground'];
    const { alarm } = verdictDecision.decide(evidence(labels).day, []);
    // after 8 windows: 2 of 8 = 25 %; after 9: 3 of 9 = 33 %
    expect(alarm).toMatchObject({ label: 'line_ground', onsetMs: 6 * W, raisedMs: 9 * W });
  });

  it.each([
    ['a fault on a third of the day is the verdict', [...Array(6).fill('normal'), 'arc_fault', 'arc_fault', 'arc_fault'], 'arc_fault'],
    ['a single fault window is not enough', ['arc_fault'], null],
    ['two fault windows under 30 % are not enough', [...Array(5).fill('normal'), 'arc_fault', 'arc_fault'], null],
    ['ties go to the lower class index', ['open_circuit', 'line_line', 'open_circuit', 'line_line'], 'line_line'],
  ])('the majority rule: %s', (_name, labels, verdict) => {
    expect(verdictDecision.decide(evidence(labels as string[]).day, []).alarm?.label ?? null).toBe(verdict);
  });

  it('refuses probabilities that do not match the predicted windows', () => {
    const { day } = evidence(['normal', 'arc_fault']);
    expect(() => verdictDecision.decide({ ...day, probs: new Float32Array(K) }, [])).toThrow('verdict decision, PV-000001 2026-06-15: 1 probability rows for 2 predicted windows');
  });
});
