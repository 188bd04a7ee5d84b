/** The scalogram's decoding, colours and words, the plant's condition line and the window list: pure functions, tested without a browser. */
import type { Predictions, Scalogram } from '../../dashboard/src/api';
import { colourOf, decodeValues, describePlane, periodSeconds, planePixels, planesOf } from '../../dashboard/src/scalogramModel';
import { inPlantEvent, plantConditionText, windowChoices } from '../../dashboard/src/fleetModel';

const hhmm = (iso: string) => iso.slice(11, 16);

function scalogramOf(values: Float32Array, shape: [number, number, number]): Scalogram {
  return {
    deviceId: 'PV-000001',
    date: '2026-11-19',
    modelVersion: 'm',
    window: { index: 30, start: '2026-11-19T10:00:00.000Z', end: '2026-11-19T10:21:20.000Z', status: 'predicted', skipReason: null, label: 'normal', confidence: 0.9, probabilities: null },
    channels: ['voltage', 'current', 'temperature', 'irradiance'].slice(0, shape[2]) as Scalogram['channels'],
    wavelet: 'morl',
    scales: Array.from({ length: shape[0] }, (_, i) => i + 1),
    stepSeconds: 20,
    shape,
    layout: 'HWC',
    encoding: 'float32le-base64',
    values: Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64'),
    baselineGain: null,
    judgedAgainst: 'fleet',
    levels: {},
  };
}

describe('the scalogram', () => {
  it('decodes the float32 tensor bit for bit and splits it into one plane per channel (HWC)', () => {
    const shape: [number, number, number] = [3, 5, 4];
    const values = Float32Array.from({ length: 60 }, (_, i) => {
      const c = i % 4;
      const w = Math.floor(i / 4) % 5;
      const h = Math.floor(i / 20);
      return h * 100 + w * 10 + c + 0.1 - (c === 2 ? 400 : 0);
    });
    const s = scalogramOf(values, shape);
    expect(decodeValues(s.values)).toEqual(values);
    const p = planesOf(s);
    expect([p.scales, p.times, p.planes.length]).toEqual([3, 5, 4]);
    for (let h = 0; h < 3; h++) for (let w = 0; w < 5; w++) for (let c = 0; c < 4; c++) expect(p.planes[c]![h * 5 + w]).toBeCloseTo(h * 100 + w * 10 + c + 0.1 - (c === 2 ? 400 : 0), 4);
    // one colour scale for all four: the largest magnitude of any channel (channel 2 at h = 0, w = 0: −397.9)
    expect(p.limit).toBeCloseTo(397.9, 3);
    expect(() => planesOf({ ...s, shape: [3, 5, 3] })).toThrow(/60 values for shape 3×5×3/);
  });

  it('colours by sign and size on a scale clipped at ±limit, white at zero', () => {
    expect(colourOf(0, 2)).toEqual([246, 246, 246]);
    const [r, , b] = colourOf(2, 2);
    expect(r).toBeGreaterThan(b);
    const [r2, , b2] = colourOf(-2, 2);
    expect(b2).toBeGreaterThan(r2);
    expect(colourOf(9, 2)).toEqual(colourOf(2, 2));
    expect(colourOf(-9, 2)).toEqual(colourOf(-2, 2));
    // halfway is between its neighbours: the scale is continuous
    const quarter = colourOf(0.5, 2);
    expect(quarter[1]).toBeLessThan(246);
    expect(quarter[1]).toBeGreaterThan(colourOf(1, 2)[1]);
    const px = planePixels(Float32Array.from([0, 2, -2]), 2);
    expect([...px.slice(0, 4)]).toEqual([246, 246, 246, 255]);
    expect(px).toHaveLength(12);
  });

  it('says in words where a channel is strongest: the scale, the period it reads, the time', () => {
    const shape: [number, number, number] = [64, 64, 1];
    const values = new Float32Array(64 * 64);
    values[39 * 64 + 10] = -3.25; // scale 40, the 11th reading
    values[0] = 1;
    const s = scalogramOf(values, shape);
    const text = describePlane(planesOf(s), 0, s, hhmm);
    expect(text).toMatch(/^voltage: values -3\.25 to 1\.00; strongest -3\.25 at scale 40 \(changes over about 16 min\) at 10:03; /);
    // scale 1 reads ~25 s, scale 64 ~26 min at the 20-s grid
    expect(periodSeconds(1, 20)).toBeCloseTo(24.6, 1);
    expect(periodSeconds(64, 20) / 60).toBeCloseTo(26.3, 1);
  });
});

describe("the plant's condition and the window list", () => {
  const events = [
    { kind: 'frost' as const, start: '2026-11-19T08:57:20.000Z', end: '2026-11-19T10:22:40.000Z', windows: 4 },
    { kind: 'power_limit' as const, start: '2026-11-19T13:00:00.000Z', end: '2026-11-19T13:21:20.000Z', windows: 1 },
  ];

  it("one line naming what the plant's conditions were and when; none on an ordinary day", () => {
    expect(plantConditionText({ plantEventWindows: 0, plantConditions: [] }, hhmm)).toBeNull();
    expect(plantConditionText({ plantEventWindows: 4, plantConditions: events }, hhmm)).toBe('Plant condition: frost 08:57–10:22 (4 windows), power limit (curtailment or clipping) 13:00–13:21 (1 window): set aside, not faults.');
    // a day predicted before the conditions were recorded still reports the count
    expect(plantConditionText({ plantEventWindows: 1, plantConditions: null }, hhmm)).toBe('Plant condition: 1 window set aside, not faults.');
  });

  it('lists the predicted windows only, marking the alarm onset and the plant condition', () => {
    const w = (index: number, start: string, status: 'predicted' | 'skipped', label: string | null) => ({ index, start, end: new Date(Date.parse(start) + 1_280_000).toISOString(), status, skipReason: status === 'skipped' ? 'low_irradiance' : null, label, confidence: label ? 0.8 : null, probabilities: null });
    const p = {
      deviceId: 'PV-000001',
      date: '2026-11-19',
      summary: { verdict: 'arc_fault', alarm: { label: 'arc_fault', candidates: ['arc_fault'], onset: '2026-11-19T12:00:00.000Z', raised: '2026-11-19T12:42:40.000Z', confidence: 0.8, judgedAgainst: 'fleet' }, windows: 3, predicted: 2, modelVersion: 'm' },
      windows: [w(5, '2026-11-19T02:00:00.000Z', 'skipped', null), w(28, '2026-11-19T08:57:20.000Z', 'predicted', 'partial_shading'), w(30, '2026-11-19T12:00:00.000Z', 'predicted', 'arc_fault')],
    } as Predictions;
    // a span holds its start, not its end (the next window's start)
    expect([inPlantEvent(events[0]!.start, events), inPlantEvent(events[0]!.end, events), inPlantEvent('2026-11-19T10:00:00.000Z', events)]).toEqual([true, false, true]);
    expect(windowChoices(p, events, hhmm)).toEqual([
      { index: 28, text: '28: 08:57–09:18, partial shading 0.80 (plant condition)' },
      { index: 30, text: '30: 12:00–12:21, arc fault 0.80 (alarm onset)' },
    ]);
  });
});
