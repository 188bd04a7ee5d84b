/** A device-day's windows → gold rows, and the day verdict rule (contracts/tables.json summary). */
import { FAULT_CLASSES } from '../../contracts';
import { goldRows } from '../../detector/gold';
import type { WindowInfo } from '../../detector/windows';

const K = FAULT_CLASSES.length;

function day(labels: (string | null)[]) {
  const windows: WindowInfo[] = labels.map((l, i) => ({ index: i, startMs: i * 1_280_000, endMs: (i + 1) * 1_280_000, skipReason: l === null ? 'low_irradiance' : null, missingFraction: 0, meanIrradiance: 0 }));
  const predicted = labels.filter((l): l is string => l !== null);
  const probs = new Float32Array(predicted.length * K);
  predicted.forEach((l, k) => {
    for (let c = 0; c < K; c++) probs[k * K + c] = FAULT_CLASSES[c] === l ? 0.7 : 0.06;
  });
  return goldRows('PV-000001', windows, probs, 'm1');
}

describe('gold rows', () => {
  it('writes one row per window, with probabilities for predicted ones and the reason for skipped ones', () => {
    const g = day([null, 'normal', 'arc_fault']);
    expect(g.windows.map((w) => [w.status, w.skipReason, w.label])).toEqual([
      ['skipped', 'low_irradiance', null],
      ['predicted', null, 'normal'],
      ['predicted', null, 'arc_fault'],
    ]);
    expect(g.windows[2]).toMatchObject({ labelIndex: 5, modelVersion: 'm1' });
    expect(g.windows[2]!.confidence).toBeCloseTo(0.7);
    expect(g.windows[2]!.p_arc_fault).toBeCloseTo(0.7);
    expect(g.windows[0]!.p_normal).toBeNull();
  });

  it.each([
    ['nothing predicted', [null, null], null, null],
    ['all normal', ['normal', 'normal', 'normal'], 'normal', null],
    ['two scattered fault windows in a normal day stay normal', [...Array(20).fill('normal'), 'open_circuit', 'line_line', 'open_circuit'], 'normal', null],
    ['a fault on a third of the day is the verdict', [...Array(6).fill('normal'), 'arc_fault', 'arc_fault', 'arc_fault'], 'arc_fault', 6],
    ['a single fault window is not enough', ['arc_fault'], 'normal', null],
    ['ties go to the lower class index', ['open_circuit', 'line_line', 'open_circuit', 'line_line'], 'line_line', 1],
  ])('%s', (_name, labels, verdict, firstSeenIndex) => {
    const g = day(labels as (string | null)[]);
    expect(g.daily.dominantLabel).toBe(verdict);
    expect(g.daily.firstSeenMs).toBe(firstSeenIndex === null ? null : (firstSeenIndex as number) * 1_280_000);
    expect(g.daily.windows).toBe(labels.length);
    expect(g.daily.predicted + g.daily.skipped).toBe(labels.length);
  });

  it('refuses probabilities that do not match the predicted windows', () => {
    const windows: WindowInfo[] = [{ index: 0, startMs: 0, endMs: 1, skipReason: null, missingFraction: 0, meanIrradiance: 500 }];
    expect(() => goldRows('PV-1', windows, new Float32Array(2 * K), 'm')).toThrow('2 probability rows for 1 predicted windows');
  });
});
