import { FAULT_CLASSES, type FaultClass } from '../../contracts';
import { healthyConditionLines, signalLines } from '../../detector/eval/markdown';
import type { DeviceDayRecord } from '../../detector/eval/records';
import { brightWindows, healthyByCondition, plantRatios, signalTables } from '../../detector/eval/signals';
import { DEFAULT_PER_UNIT } from '../../detector/perUnit';
import { perUnitOfDesign } from '../../detector/simulator/registry';
import { parseDesign } from '../../contracts/design';

const W = 1_280_000;
const K = FAULT_CLASSES.length;

/** A window as a record keeps it: its measured means and the class the model read. */
interface At {
  /** per-unit voltage and current per irradiance at 25 °C (so the default design's voltage divides by its STC value alone) */
  voltage: number;
  ratio: number;
  irradiance?: number;
  read?: FaultClass;
  /** slots of the window the fault acted on (default: all 64) */
  acting?: number;
}

function record(fault: FaultClass, severityGroup: string, at: At[], { gain = 1, conditions = [] as string[], vmp = DEFAULT_PER_UNIT.vmpStcV, imp = DEFAULT_PER_UNIT.impStcA, id = 'PV-000001' } = {}): DeviceDayRecord {
  // a dim window first, which is skipped and carries no means
  const windows = [{ startMs: 0, endMs: W, skipReason: 'low_irradiance' as const }, ...at.map((_, i) => ({ startMs: (i + 1) * W, endMs: (i + 2) * W, skipReason: null }))];
  const probs = new Float32Array(at.length * K);
  const means = new Float64Array(at.length * 4);
  at.forEach((w, i) => {
    probs.fill(0.02, i * K, (i + 1) * K);
    probs[i * K + FAULT_CLASSES.indexOf(w.read ?? 'normal')] = 0.9;
    const g = w.irradiance ?? 800;
    // the model multiplies the measured irradiance by the gain: the ratio is against the gained irradiance
    means.set([w.voltage * vmp, w.ratio * imp * ((g * gain) / 1000), 25, g], i * 4);
  });
  return {
    plantDay: 'p',
    evidence: { deviceId: id, date: '2026-06-15', windows, probs, means, baselineDays: 3, baselineGain: gain, ratio: 1 },
    truth: { fault, onsetMs: fault === 'normal' ? null : 0, severity: {}, severityGroup, intermittent: false, sky: 'clear', activeSlots: [0, ...at.map((w) => (fault === 'normal' ? 0 : (w.acting ?? 64)))], conditions: conditions as never },
  };
}

// 101 healthy bright windows: voltage 0.99 … 1.01, current per irradiance 0.98 … 1.02
const healthy = record('normal', 'normal', Array.from({ length: 101 }, (_, k) => ({ voltage: 0.99 + 0.0002 * k, ratio: 0.98 + 0.0004 * k })));

describe('what each fault leaves in the model levels (eval/signals.ts)', () => {
  it('maps a window as the model maps its slots, with the baseline gain on the irradiance, and keeps only bright windows the fault acted in throughout', () => {
    const r = record('line_line', '1 of 5 modules shorted', [{ voltage: 0.96, ratio: 1 }, { voltage: 0.95, ratio: 1, irradiance: 300 }, { voltage: 0.95, ratio: 1, acting: 40 }, { voltage: 0.97, ratio: 0.99, read: 'line_line' }], { gain: 1.05 });
    const got = brightWindows(r, DEFAULT_PER_UNIT);
    expect(got).toHaveLength(2);
    expect(got[0]!.voltage).toBeCloseTo(0.96, 9);
    expect(got[0]!.ratio).toBeCloseTo(1, 9);
    expect(got[1]!.ratio).toBeCloseTo(0.99, 9);
    expect(got.map((w) => FAULT_CLASSES[w.read])).toEqual(['normal', 'line_line']);
    // another design's reference divides by its own values (and maps by its shapes: within a per cent here)
    const poly = perUnitOfDesign(parseDesign('poly-16x2-cs6p-250p'));
    const [w] = brightWindows(record('normal', 'normal', [{ voltage: 1, ratio: 1 }], { vmp: poly.vmpStcV, imp: poly.impStcA }), poly);
    expect(Math.abs(w!.voltage - 1)).toBeLessThan(0.01);
    expect(Math.abs(w!.ratio - 1)).toBeLessThan(0.01);
    // a record without means (before they were kept) gives none
    expect(brightWindows({ ...r, evidence: { ...r.evidence, means: undefined } }, DEFAULT_PER_UNIT)).toEqual([]);
  });

  it('sets each severity against the same group\'s healthy windows: the shift of each level, the share outside the healthy band, and how the model read it', () => {
    const short = record('line_line', '1 of 5 modules shorted', [...Array.from({ length: 3 }, () => ({ voltage: 0.96, ratio: 1, read: 'line_line' as const })), ...Array.from({ length: 7 }, () => ({ voltage: 0.96, ratio: 1 }))]);
    // a leak within the healthy spread: as healthy in both levels
    const leak = record('line_ground', 'leak < 0.5 A', Array.from({ length: 4 }, () => ({ voltage: 1, ratio: 0.995 })));
    // a condition's day is left out, healthy or not
    const soiled = record('normal', 'normal', Array.from({ length: 50 }, () => ({ voltage: 0.9, ratio: 0.5 })), { conditions: ['soiling'] });
    const t = signalTables([
      { group: 'default', perUnit: DEFAULT_PER_UNIT, records: [healthy, leak, soiled] },
      { group: 'default', perUnit: DEFAULT_PER_UNIT, records: [short] },
    ]).default!;
    expect(t.healthy!.windows).toBe(101);
    expect(t.healthy!.voltage.map((x) => Number(x.toFixed(4)))).toEqual([0.9902, 1, 1.0098]);
    expect(t.healthy!.ratio.map((x) => Number(x.toFixed(4)))).toEqual([0.9804, 1, 1.0196]);
    expect(Object.keys(t.bySeverity)).toEqual(['line_line · 1 of 5 modules shorted', 'line_ground · leak < 0.5 A']);
    // one class's groups by size: leaks by current, shorts by modules (2 before 10)
    const order = signalTables([{ group: 'd', perUnit: DEFAULT_PER_UNIT, records: [healthy, ...['leak ≥ 2 A', 'leak 0.5–2 A', 'leak < 0.5 A'].map((g) => record('line_ground', g, [{ voltage: 1, ratio: 0.9 }])), ...['10 of 16 modules shorted', '2 of 16 modules shorted'].map((g) => record('line_line', g, [{ voltage: 0.9, ratio: 1 }]))] }]).d!;
    expect(Object.keys(order.bySeverity)).toEqual(['line_line · 2 of 16 modules shorted', 'line_line · 10 of 16 modules shorted', 'line_ground · leak < 0.5 A', 'line_ground · leak 0.5–2 A', 'line_ground · leak ≥ 2 A']);
    const s = t.bySeverity['line_line · 1 of 5 modules shorted']!;
    expect([s.windows, s.deviceDays, s.outside, s.readOwn, s.readNormal]).toEqual([10, 1, 1, 0.3, 0.7]);
    expect(s.readAs).toEqual([0.7, 0.3, 0, 0, 0, 0]);
    expect(s.voltageShift).toBeCloseTo(-0.04, 6);
    expect(s.ratioShift).toBeCloseTo(0, 6);
    const l = t.bySeverity['line_ground · leak < 0.5 A']!;
    expect([l.windows, l.outside, l.readOwn, l.readNormal]).toEqual([4, 0, 0, 1]);
    expect(l.ratioShift).toBeCloseTo(-0.005, 6);
  });

  it('sets each condition and sky of the healthy arrays against the clean healthy windows, before and after the gain, and how the model read them', () => {
    // soiled 2.5 % against its own sensor; the gain (relative to a fleet soiled alike) takes out only 1 % of it
    const soiled = record('normal', 'normal', [...Array.from({ length: 3 }, () => ({ voltage: 1, ratio: 0.975 / 0.99, read: 'line_ground' as const })), ...Array.from({ length: 7 }, () => ({ voltage: 1, ratio: 0.975 / 0.99 }))], { gain: 0.99, conditions: ['soiling'] });
    const overcast = { ...healthy, truth: { ...healthy.truth, sky: 'overcast' as const } };
    // a faulty day is not a healthy array's, whatever its condition
    const leak = record('line_ground', 'leak < 0.5 A', [{ voltage: 1, ratio: 0.5 }], { conditions: ['soiling'] });
    const rows = healthyByCondition([{ group: 'default', perUnit: DEFAULT_PER_UNIT, records: [healthy, soiled, leak] }, { group: 'default', perUnit: DEFAULT_PER_UNIT, records: [overcast] }]);
    expect(Object.keys(rows)).toEqual(['none · clear', 'none · overcast', 'soiling · clear']);
    const r = rows['soiling · clear']!;
    expect([r.deviceDays, r.windows]).toEqual([1, 10]);
    expect(r.rawRatioShift).toBeCloseTo(-0.025, 6);
    expect(r.ratioShift).toBeCloseTo(0.975 / 0.99 - 1, 6);
    expect(r.readAs).toEqual([0.7, 0, 0.3, 0, 0, 0]);
    expect(rows['none · clear']!.ratioShift).toBeCloseTo(0, 6);
    const md = healthyConditionLines({ healthyByCondition: rows }).join('\n');
    expect(md).toContain('| soiling · clear | 1 | 10 | −2.5 % | −1.5 % | – | 70.0 % | line_ground 30.0 % |');
    expect(md).toContain('| none · clear | 1 | 101 | +0.0 % | +0.0 % | – | 100.0 % | – |');
    // nothing clean to set them against, or no report of it: no table
    expect(healthyByCondition([{ group: 'default', perUnit: DEFAULT_PER_UNIT, records: [soiled] }])).toEqual({});
    expect(healthyConditionLines({})).toEqual([]);
  });

  it('keeps each group apart and writes a table per group for the card', () => {
    const tables = signalTables([
      { group: 'default', perUnit: DEFAULT_PER_UNIT, records: [healthy, record('arc_fault', 'persistent', [{ voltage: 0.9, ratio: 1.1, read: 'arc_fault' }])] },
      { group: 'other', perUnit: DEFAULT_PER_UNIT, records: [record('arc_fault', 'persistent', [{ voltage: 0.9, ratio: 1 }])] },
    ]);
    // a group without a healthy window has nothing to be set against
    expect(tables.other).toEqual({ healthy: null, bySeverity: {} });
    const lines = signalLines({ signals: tables });
    expect(lines.some((l) => l.startsWith('default: 101 healthy bright windows, per-unit voltage 0.990–1.010 (median 1.000)') && l.endsWith('(1st–99th percentiles).'))).toBe(true);
    expect(lines).toContain('| arc_fault · persistent | 1 | 1 | −10.0 % | +10.0 % | 100.0 % | – | 100.0 % | 0.0 % | – |');
    // a fault read as another fault: the one it was read as most, beside its own class and normal
    const blocked = signalTables([{ group: 'default', perUnit: DEFAULT_PER_UNIT, records: [healthy, record('open_circuit', 'persistent', [{ voltage: 1, ratio: 0.67, read: 'open_circuit' }, { voltage: 1, ratio: 0.67, read: 'partial_shading' }, { voltage: 1, ratio: 0.67, read: 'line_line' }, { voltage: 1, ratio: 0.67, read: 'partial_shading' }])] }]);
    expect(signalLines({ signals: blocked })).toContain('| open_circuit · persistent | 1 | 4 | +0.0 % | −33.0 % | 100.0 % | – | 25.0 % | 0.0 % | partial_shading 50.0 % |');
    expect(lines.some((l) => l.startsWith('other:'))).toBe(false);
    expect(signalLines({})).toEqual([]);
  });

  it('sets each window against its plant at the same window: the sky drops out, a shadow within the healthy arrays\' own spread stands out of their spread against the plant, a plant-wide condition leaves no trace', () => {
    // three bright windows whose sky moves every array alike (1, 0.9, 0.8 of the clear level)
    const sky = [1, 0.9, 0.8];
    const at = (level: number, read?: FaultClass) => sky.map((f) => ({ voltage: 1, ratio: level * f, ...(read ? { read } : {}) }));
    const healthyArrays = Array.from({ length: 4 }, (_, k) => record('normal', 'normal', at(1), { id: `PV-00001${k}` }));
    // the shadow's device also predicted a fourth window no other device did: it has no plant level and is left out of the plant shift
    const shadow = record('partial_shading', 'visible', [...at(0.8, 'open_circuit'), { voltage: 1, ratio: 0.5 }], { id: 'PV-000020' });
    const open = record('open_circuit', 'persistent', at(0.67, 'open_circuit'), { id: 'PV-000021' });
    const plant = plantRatios([...healthyArrays, shadow, open], DEFAULT_PER_UNIT);
    // six devices in the first three windows: the median of 0.67, 0.8 and four healthy arrays' level is the healthy level; the fourth window has one device
    expect([...plant.keys()]).toEqual([W, 2 * W, 3 * W]);
    sky.forEach((f, i) => expect(plant.get((i + 1) * W)).toBeCloseTo(f, 9));
    expect(brightWindows(shadow, DEFAULT_PER_UNIT, plant).map((w) => w.plantRatio)).toEqual([expect.closeTo(0.8, 9), expect.closeTo(0.8, 9), expect.closeTo(0.8, 9), NaN]);
    const t = signalTables([{ group: 'default', perUnit: DEFAULT_PER_UNIT, records: [...healthyArrays, shadow, open] }]).default!;
    // against the plant the healthy windows do not spread with the sky; their own level does
    expect(t.healthy!.plantRatio!.map((x) => Number(x.toFixed(6)))).toEqual([1, 1, 1]);
    expect(t.healthy!.ratio.map((x) => Number(x.toFixed(6)))).toEqual([0.8, 0.9, 1]);
    // the shadow's first window lies within the healthy arrays' own spread (0.8 of the clear level, as the dimmest sky's healthy window), not within their spread against the plant
    expect(t.bySeverity['partial_shading · visible']!.outside).toBe(3 / 4);
    expect(t.bySeverity['partial_shading · visible']!.outsidePlant).toBe(1);
    expect(signalLines({ signals: { default: t } }).some((l) => l.includes("against the plant's 1.000–1.000 (median 1.000)"))).toBe(true);
    expect(signalLines({ signals: { default: t } })).toContain('| open_circuit · persistent | 1 | 3 | +0.0 % | −33.0 % | 100.0 % | 100.0 % | 100.0 % | 0.0 % | – |');
    // fewer than five devices: no plant level anywhere, and the figures say so
    const few = signalTables([{ group: 'default', perUnit: DEFAULT_PER_UNIT, records: [...healthyArrays.slice(0, 3), open] }]).default!;
    expect(few.healthy!.plantRatio).toBeNull();
    expect(few.bySeverity['open_circuit · persistent']!.outsidePlant).toBeNull();
    // soiling on every array of a plant: 5 % under the clean arrays' own level, nothing against its plant
    const soiledPlant = Array.from({ length: 5 }, (_, k) => record('normal', 'normal', at(0.95), { id: `PV-00003${k}`, conditions: ['soiling'] }));
    const rows = healthyByCondition([{ group: 'default', perUnit: DEFAULT_PER_UNIT, records: [...healthyArrays, shadow] }, { group: 'default', perUnit: DEFAULT_PER_UNIT, records: soiledPlant }]);
    expect(rows['soiling · clear']!.ratioShift).toBeCloseTo(-0.05, 9);
    expect(rows['soiling · clear']!.plantRatioShift).toBeCloseTo(0, 9);
  });
});
