/**
 * The evaluation carries each plant's devices' baselines over its days as the
 * predict job does (detector/baseline.ts): a device-day is predicted with the
 * reference its plant's earlier days give it, healthy days (by the verdict the
 * evaluation is told to use) feed the baseline, and the cache is keyed by the
 * references, so other verdicts recompute the later days. A fake predictor stands in
 * for the model: what is tested is the chain, not the detector.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SilverDeviceDayRow } from '../../contracts';
import { BASELINE, NO_HISTORY, type DeviceReference } from '../../detector/baseline';
import type { Decision } from '../../detector/eval/decision';
import { collectAll, decisionBaselineVerdict, type BaselineVerdict } from '../../detector/eval/evaluate';
import { goldRows } from '../../detector/gold';
import { windowsOf } from '../../detector/windows';
import { TEST_RULE } from '../helpers/goldFixture';

const plan = { firstDates: ['2026-06-15'], skies: ['clear' as const], days: 3, warmupDays: 0, devices: 4, seedBase: 5000, faultMix: { normal: 1 } };
/** device i's day ratio: 1 + i/100 times the fleet's, so its relative ratio is known */
const ratioOf = (deviceId: string) => 0.006 * (1 + Number(deviceId.slice(3)) / 100);

function fakePool(seen: Map<string, DeviceReference>[]) {
  return async () => ({
    modelVersion: 'm',
    predict: async (row: SilverDeviceDayRow, reference: DeviceReference = NO_HISTORY) => {
      if (seen.length === 0 || seen[seen.length - 1]!.has(row.deviceId)) seen.push(new Map());
      seen[seen.length - 1]!.set(row.deviceId, reference);
      const windows = windowsOf(row).map((w) => ({ ...w, skipReason: w.skipReason ?? ('missing_data' as const) }));
      return { ...goldRows(row.deviceId, windows, new Float32Array(0), 'm', TEST_RULE, reference), predicted: 0, ratio: ratioOf(row.deviceId), rule: TEST_RULE };
    },
    close: async () => undefined,
  });
}

async function run(out: string, verdict: BaselineVerdict) {
  const seen: Map<string, DeviceReference>[] = [];
  const { records, cached } = await collectAll({ plan, out, fresh: false, progress: false, log: () => undefined, startPool: fakePool(seen), baselineVerdict: verdict }, 'm');
  return { records, cached, seen };
}

describe('the evaluation carries baselines over a plant\'s days', () => {
  const out = mkdtempSync(join(tmpdir(), 'eval-chain-'));
  // device 2 raises an alarm every day: it never gets a baseline
  const verdict: BaselineVerdict = (r) => ({ verdict: r.evidence.deviceId === 'PV-000002' ? 'alarm' : 'normal', standing: null });

  it('judges the first day against the fleet and the next ones against the healthy days before them', async () => {
    const { records, seen } = await run(out, verdict);
    expect(seen).toHaveLength(3);
    expect([...seen[0]!.values()].every((r) => r.days === 0 && r.gain === null)).toBe(true);
    const fleet = [1, 2, 3, 4].map((i) => ratioOf(`PV-00000${i}`)).sort((a, b) => a - b);
    const median = (fleet[1]! + fleet[2]!) / 2;
    for (const [day, days] of [[1, 1], [2, 2]] as const) {
      expect(seen[day]!.get('PV-000002')).toEqual(NO_HISTORY);
      for (const id of ['PV-000001', 'PV-000003', 'PV-000004']) {
        const r = seen[day]!.get(id)!;
        expect(r.days).toBe(days);
        expect(r.gain).toBeCloseTo(Math.min(BASELINE.maxGain, ratioOf(id) / median), 6);
      }
    }
    expect(records.map((day) => day.map((r) => r.evidence.baselineDays))).toEqual([[0, 0, 0, 0], [1, 0, 1, 1], [2, 0, 2, 2]]);
  });

  it('reads the days back from the cache while the verdicts are the same, and recomputes the days after one that changed', async () => {
    const again = await run(out, verdict);
    expect(again.cached).toBe(3);
    expect(again.seen).toHaveLength(0);
    // now device 1 alarms too: its later days are judged otherwise, so they are predicted anew
    const other = await run(out, (r) => ({ verdict: ['PV-000001', 'PV-000002'].includes(r.evidence.deviceId) ? 'alarm' : 'normal', standing: null }));
    expect(other.cached).toBe(1);
    expect(other.seen[0]!.get('PV-000001')).toEqual(NO_HISTORY);
  });
});

describe('the baselines of an evaluated decision', () => {
  it('are built from its own alarms, as the product\'s would be: the alarm label, how it stood, its onset and raise, given the day before\'s as the carry and the re-armed shadow read them', () => {
    const calls: unknown[] = [];
    const decision: Decision = {
      name: 'stub',
      description: 'alarms PV-000002 only',
      decide: (day, _history, _plant, previous) => {
        calls.push(previous);
        return { alarm: day.deviceId === 'PV-000002' ? { label: 'arc_fault', candidates: ['arc_fault'], onsetMs: 0, raisedMs: 1, confidence: 1, standing: 1.5 } : null };
      },
    };
    const verdict = decisionBaselineVerdict(decision);
    const record = (deviceId: string) => ({ evidence: { deviceId } }) as Parameters<BaselineVerdict>[0];
    const plant = { events: new Set<number>(), conditions: [] };
    expect(verdict(record('PV-000002'), plant, undefined)).toEqual({ verdict: 'arc_fault', standing: 1.5, onsetMs: 0, raisedMs: 1 });
    expect(verdict(record('PV-000001'), plant, { dayVerdict: 'arc_fault', dayAlarmStanding: 2, dayAlarmOnsetMs: 5, dayAlarmRaisedMs: 9 } as Parameters<BaselineVerdict>[2])).toEqual({ verdict: 'normal', standing: null, onsetMs: null, raisedMs: null });
    // a row without the alarm's times (tables contract 10 or older): not known
    verdict(record('PV-000001'), plant, { dayVerdict: 'partial_shading', dayAlarmStanding: 0 } as Parameters<BaselineVerdict>[2]);
    expect(calls).toEqual([null, { label: 'arc_fault', standing: 2, onsetMs: 5, raisedMs: 9 }, { label: 'partial_shading', standing: 0, onsetMs: null, raisedMs: null }]);
  });
});
