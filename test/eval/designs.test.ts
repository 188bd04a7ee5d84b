/** npm run eval's held-out designs (issue 20): the design plants, their device-days kept out of the goals, and their section beside the default design. */
import { FAULT_CLASSES, type FaultClass } from '../../contracts';
import { DEFAULT_DESIGN_NAME, DESIGN_NAMES, parseDesign } from '../../contracts/design';
import { oneShortBlocks } from '../../detector/alarms';
import { parseEvalArgs } from '../../detector/eval/cli';
import { DECISIONS } from '../../detector/eval/decisions';
import { DEFAULT_PER_UNIT } from '../../detector/perUnit';
import { perUnitOfDesign } from '../../detector/simulator/registry';
import { shortBlocksString, type Alarm, type EvidenceWindow } from '../../detector/eval/decision';
import { ceilingLine, designTables } from '../../detector/eval/markdown';
import { namesFault, outcomeOf, type Outcome } from '../../detector/eval/outcome';
import { DESIGN_EVAL_DATE, designOfSpec, layoutTwinName, perUnitOfSpec, plantDaySpecs, simulateEvalDay, twinName } from '../../detector/eval/plantDays';
import { DEFAULT_DESIGN } from '../../detector/simulator/plant';
import { plantDayKey } from '../../detector/eval/cache';
import type { DeviceDayRecord } from '../../detector/eval/records';
import { summarize } from '../../detector/eval/summary';

const W = 1_280_000;
const windows = (pattern: string): EvidenceWindow[] => [...pattern].map((c, i) => ({ startMs: i * W, endMs: (i + 1) * W, skipReason: c === '.' ? 'low_irradiance' : null }));

function record(fault: FaultClass): DeviceDayRecord {
  return {
    plantDay: 'p',
    evidence: { deviceId: 'PV-000001', date: '2026-06-15', windows: windows('.oooo.'), probs: new Float32Array(6 * FAULT_CLASSES.length), baselineDays: 3, baselineGain: 1, ratio: 1 },
    truth: { fault, onsetMs: fault === 'normal' ? null : 0, severity: {}, severityGroup: 'persistent', intermittent: false, sky: 'clear', activeSlots: fault === 'normal' ? [0, 0, 0, 0, 0, 0] : [0, 64, 64, 64, 64, 0], conditions: [] },
  };
}
const alarm = (label: string): Alarm => ({ label, candidates: [label as FaultClass], onsetMs: 0, raisedMs: 2 * W, confidence: 1 });
const onDesign = (o: Outcome, design: string): Outcome => ({ ...o, design });

describe('held-out designs in the evaluation', () => {
  it('adds a plant per named design after the condition plants, its days as a plan plant\'s from mid-June, and refuses the default or an unknown name', () => {
    const specs = plantDaySpecs(parseEvalArgs(['--dates', '2026-02-27', '--days', '2', '--warmup', '1', '--conditions', 'snow', '--condition-days', '1', '--designs', 'cdte-4x4-fs-6385']).plan);
    const design = specs.filter((s) => s.design);
    expect(design.map((s) => [s.plant, s.date, s.scored, s.design])).toEqual([
      [2, '2026-06-14', false, 'cdte-4x4-fs-6385'],
      [2, DESIGN_EVAL_DATE, true, 'cdte-4x4-fs-6385'],
      [2, '2026-06-16', true, 'cdte-4x4-fs-6385'],
    ]);
    // and its twin: the same plant number, seed, dates and skies, with the default design's arrays
    const twin = specs.filter((s) => s.twinOf);
    expect(twin.map((s) => [s.plant, s.date, s.scored, s.twinOf, s.design])).toEqual(design.map((s) => [s.plant, s.date, s.scored, 'cdte-4x4-fs-6385', undefined]));
    expect(twin.map((s) => [s.seed, s.sky])).toEqual(design.map((s) => [s.seed, s.sky]));
    expect(new Set(twin.map((s) => plantDayKey(s))).size).toBe(3);
    expect(twin.some((s) => design.some((d) => plantDayKey(d) === plantDayKey(s)))).toBe(false);
    // and its layout twin: the same again, with the design's layout built of the default design's module
    const layoutTwin = specs.filter((s) => s.layoutTwinOf);
    expect(layoutTwin.map((s) => [s.plant, s.date, s.scored, s.seed, s.sky, s.layoutTwinOf, s.design, s.twinOf])).toEqual(design.map((s) => [s.plant, s.date, s.scored, s.seed, s.sky, 'cdte-4x4-fs-6385', undefined, undefined]));
    expect(new Set([...design, ...twin, ...layoutTwin].map((s) => plantDayKey(s))).size).toBe(9);
    expect(new Set(specs.map((s) => s.seed)).size).toBe(3);
    // by default every named design but the default one, which issue 20's goal judges
    expect(parseEvalArgs([]).plan.designs).toEqual(DESIGN_NAMES.filter((d) => d !== DEFAULT_DESIGN_NAME));
    expect(parseEvalArgs(['--designs', 'none']).plan.designs).toBeUndefined();
    expect(() => parseEvalArgs(['--designs', DEFAULT_DESIGN_NAME])).toThrow('is the default design');
    expect(() => parseEvalArgs(['--designs', 'mono-9x9'])).toThrow('--designs: unknown design "mono-9x9"');
  });

  it('simulates the plant with every array of that design (a CdTe string reads several times the default voltage)', () => {
    const [spec] = plantDaySpecs({ firstDates: [], skies: ['clear'], days: 1, warmupDays: 0, devices: 2, seedBase: 5000, faultMix: { normal: 1 }, designs: ['cdte-4x4-fs-6385'] });
    const [device] = [...simulateEvalDay(spec!).devices(0, 1)];
    const r = device!.readings;
    const noon = Array.from({ length: r.count }, (_, k) => k).filter((k) => r.irradiance[k]! > 600);
    expect(noon.length).toBeGreaterThan(0);
    // 4 CdTe modules of ~70 V at their maximum power point against 5 × ~27 V of the default array
    expect(noon.reduce((a, k) => a + r.voltage[k]!, 0) / noon.length).toBeGreaterThan(200);
    // its twin: the default design's arrays under the same weather (the sensor's irradiance, its own point of the sky, as the design plant's)
    const twinSpec = plantDaySpecs({ firstDates: [], skies: ['clear'], days: 1, warmupDays: 0, devices: 2, seedBase: 5000, faultMix: { normal: 1 }, designs: ['cdte-4x4-fs-6385'] }).find((s) => s.twinOf)!;
    const [twin] = [...simulateEvalDay(twinSpec).devices(0, 1)];
    const t = twin!.readings;
    expect(t.count).toBe(r.count);
    const mean = (x: Float64Array) => noon.reduce((a, k) => a + x[k]!, 0) / noon.length;
    expect(mean(t.voltage)).toBeLessThan(0.8 * mean(r.voltage));
    expect(Array.from(t.irradiance)).toEqual(Array.from(r.irradiance));
  });

  it("builds the layout twin of the design's layout and the default module, with the design plant's faults, sensors and weather", () => {
    const specs = plantDaySpecs({ firstDates: [], skies: ['clear'], days: 1, warmupDays: 0, devices: 24, seedBase: 5000, faultMix: { normal: 1, line_line: 2, line_ground: 2 }, designs: ['poly-16x2-cs6p-250p'] });
    const designSpec = specs.find((s) => s.design)!;
    const layoutSpec = specs.find((s) => s.layoutTwinOf)!;
    const design = designOfSpec(designSpec);
    const twin = designOfSpec(layoutSpec);
    expect(twin.name).toBe(layoutTwinName('poly-16x2-cs6p-250p'));
    expect([twin.modulesPerString, twin.strings, twin.layout]).toEqual([design.modulesPerString, design.strings, design.layout]);
    expect(twin.module).toEqual(DEFAULT_DESIGN.module);
    expect(design.module.name).not.toBe(DEFAULT_DESIGN.module.name);
    // the registry row the model divides by is the twin's own design's
    expect(perUnitOfSpec(layoutSpec)).toEqual(perUnitOfDesign(twin));
    expect(perUnitOfSpec(layoutSpec).vmpStcV).not.toBeCloseTo(perUnitOfSpec(designSpec).vmpStcV, 0);
    const days = [...simulateEvalDay(designSpec).devices()];
    const twins = [...simulateEvalDay(layoutSpec).devices()];
    const truth = (d: (typeof days)[number]) => [d.deviceId, d.truth.fault, d.truth.string, d.truth.severity, d.truth.onsetMs, d.truth.calibration];
    expect(twins.map(truth)).toEqual(days.map(truth));
    expect(days.filter((d) => d.truth.fault === 'line_line').length).toBeGreaterThan(0);
    expect(Array.from(twins[0]!.readings.irradiance)).toEqual(Array.from(days[0]!.readings.irradiance));
    // 16 × 46.9 V of the default module at its maximum power point against 16 × 30.1 V of the CS6P-250P
    expect(perUnitOfDesign(twin).vmpStcV / perUnitOfDesign(design).vmpStcV).toBeGreaterThan(1.4);
  });

  it('keeps the design plants out of the goals and tables, and sets each design beside the default design in points', () => {
    const outcomes = [
      outcomeOf(record('normal'), null),
      outcomeOf(record('arc_fault'), alarm('arc_fault')),
      onDesign(outcomeOf(record('normal'), alarm('line_ground')), 'cdte-4x4-fs-6385'),
      onDesign(outcomeOf(record('normal'), null), 'cdte-4x4-fs-6385'),
      onDesign(outcomeOf(record('arc_fault'), null), 'cdte-4x4-fs-6385'),
    ];
    const s = summarize(outcomes);
    expect([s.falseAlarms.overall.healthy, s.faults.overall.visible, s.counts.otherDesign, s.counts.withCondition]).toEqual([1, 1, 3, 0]);
    expect(s.byDesign.default!.faults).toMatchObject({ visible: 1, named: 1 });
    expect(s.byDesign['cdte-4x4-fs-6385']!.falseAlarms).toMatchObject({ healthy: 2, alarmed: 1, rate: 0.5 });
    expect(s.byDesign['cdte-4x4-fs-6385']!.faults).toMatchObject({ visible: 1, named: 0 });
    const lines = designTables({ ...s, plan: { firstDates: [], skies: ['clear'], days: 1, warmupDays: 0, devices: 1, seedBase: 5000, faultMix: {} } } as unknown as Parameters<typeof designTables>[0]);
    const cdte = lines.find((l) => l.startsWith('| cdte-4x4-fs-6385'))!;
    // false alarms 50 % against 0 %: +50.0 points; named 0 % against 100 %: −100.0
    // without a twin or a layout twin in the outcomes, no gap to either
    expect(cdte.split('|').map((c) => c.trim())).toEqual(['', 'cdte-4x4-fs-6385', '2', '1', '50.0 %', '50.0', '–', '–', '1', '0.0 %', '-100.0', '–', '–', '–', '']);
    // and by class: what generalises and what does not
    expect(s.byDesign['cdte-4x4-fs-6385']!.byClass.arc_fault).toMatchObject({ visible: 1, named: 0 });
    expect(lines).toContain('| arc_fault | 100.0 % (1 of 1) | 0.0 % (0 of 1) |');
    expect(lines).toContain('| line_ground | – | – |');
    expect(summarize(outcomes.slice(0, 2)).byDesign).toEqual({});
  });

  it('sets each design beside its twin, the default design on the same plant-days, and keeps the twin out of the goals too', () => {
    const twin = twinName('cdte-4x4-fs-6385');
    const outcomes = [
      outcomeOf(record('normal'), null),
      outcomeOf(record('arc_fault'), alarm('arc_fault')),
      onDesign(outcomeOf(record('normal'), alarm('line_ground')), 'cdte-4x4-fs-6385'),
      onDesign(outcomeOf(record('arc_fault'), null), 'cdte-4x4-fs-6385'),
      onDesign(outcomeOf(record('normal'), null), twin),
      onDesign(outcomeOf(record('normal'), null), twin),
      onDesign(outcomeOf(record('normal'), alarm('partial_shading')), twin),
      onDesign(outcomeOf(record('arc_fault'), null), twin),
      onDesign(outcomeOf(record('arc_fault'), alarm('arc_fault')), twin),
    ];
    const s = summarize(outcomes);
    expect([s.falseAlarms.overall.healthy, s.faults.overall.visible, s.counts.otherDesign]).toEqual([1, 1, 7]);
    expect(Object.keys(s.byDesign)).toEqual(['default', 'cdte-4x4-fs-6385', twin]);
    const lines = designTables({ ...s, plan: { firstDates: [], skies: ['clear'], days: 1, warmupDays: 0, devices: 1, seedBase: 5000, faultMix: {} } } as unknown as Parameters<typeof designTables>[0]);
    const cells = (name: string) => lines.find((l) => l.startsWith(`| ${name} |`))!.split('|').map((c) => c.trim());
    // false alarms 100 % against the plan's 0 % and the twin's 33.3 %; named 0 % against 100 % and 50 %
    // without a layout twin in the outcomes, no gap to it
    expect(cells('cdte-4x4-fs-6385')).toEqual(['', 'cdte-4x4-fs-6385', '1', '1', '100.0 %', '100.0', '66.7', '–', '1', '0.0 %', '-100.0', '-50.0', '–', '–', '']);
    // the twin against the plan's plants: what the season and the skies of those days cost
    expect(cells(twin)).toEqual(['', twin, '3', '1', '33.3 %', '33.3', '', '', '2', '50.0 %', '-50.0', '', '', '21 min', '']);
    // with a layout twin (the design's arrays of the default module): the gap to it is the module's technology
    const layout = layoutTwinName('cdte-4x4-fs-6385');
    const withLayout = summarize([...outcomes, onDesign(outcomeOf(record('normal'), null), layout), onDesign(outcomeOf(record('arc_fault'), alarm('arc_fault')), layout)]);
    const rows = designTables({ ...withLayout, plan: { firstDates: [], skies: ['clear'], days: 1, warmupDays: 0, devices: 1, seedBase: 5000, faultMix: {} } } as unknown as Parameters<typeof designTables>[0]);
    const row = (name: string) => rows.find((l) => l.startsWith(`| ${name} |`))!.split('|').map((c) => c.trim());
    expect(row('cdte-4x4-fs-6385')).toEqual(['', 'cdte-4x4-fs-6385', '1', '1', '100.0 %', '100.0', '66.7', '100.0', '1', '0.0 %', '-100.0', '-50.0', '-100.0', '–', '']);
    expect(row(layout)).toEqual(['', layout, '1', '0', '0.0 %', '0.0', '', '', '1', '100.0 %', '0.0', '', '', '21 min', '']);
  });

  it("gives the decision's ceiling per held-out design beside its twin's", () => {
    const twin = twinName('cdte-4x4-fs-6385');
    const outcomes = [
      outcomeOf(record('arc_fault'), alarm('arc_fault')),
      onDesign(outcomeOf(record('arc_fault'), alarm('arc_fault')), 'cdte-4x4-fs-6385'),
      onDesign(outcomeOf(record('arc_fault'), null), 'cdte-4x4-fs-6385'),
      onDesign(outcomeOf(record('arc_fault'), alarm('arc_fault')), twin),
    ];
    const line = ceilingLine(summarize(outcomes) as unknown as Parameters<typeof ceilingLine>[0]);
    expect(line).toContain(`On the held-out designs it names 1 of 2 (50.0 %) on cdte-4x4-fs-6385 against 1 of 1 (100.0 %) on its twin:`);
    expect(ceilingLine(summarize(outcomes.slice(0, 1)) as unknown as Parameters<typeof ceilingLine>[0])).not.toContain('held-out designs');
    const layout = layoutTwinName('cdte-4x4-fs-6385');
    const withLayout = ceilingLine(summarize([...outcomes, onDesign(outcomeOf(record('arc_fault'), null), layout)]) as unknown as Parameters<typeof ceilingLine>[0]);
    expect(withLayout).toContain('on cdte-4x4-fs-6385 against 1 of 1 (100.0 %) on its twin and 0 of 1 (0.0 %) on its layout twin:');
  });

  it("sets out each design's visible faults by its own severity groups, beside its twin's", () => {
    const twin = twinName('cdte-4x4-fs-6385');
    const short = (group: string): DeviceDayRecord => {
      const r = record('line_line');
      return { ...r, truth: { ...r.truth, severityGroup: group } };
    };
    const outcomes = [
      outcomeOf(short('1 of 5 modules shorted'), alarm('line_line')),
      onDesign(outcomeOf(short('1 of 4 modules shorted'), alarm('line_line')), 'cdte-4x4-fs-6385'),
      onDesign(outcomeOf(short('1 of 4 modules shorted'), null), 'cdte-4x4-fs-6385'),
      onDesign(outcomeOf(record('normal'), null), 'cdte-4x4-fs-6385'),
      onDesign(outcomeOf(short('1 of 5 modules shorted'), null), twin),
    ];
    const s = summarize(outcomes);
    expect(s.byDesign['cdte-4x4-fs-6385']!.bySeverity).toEqual({ 'line_line · 1 of 4 modules shorted': expect.objectContaining({ visible: 2, named: 1 }) });
    const lines = designTables({ ...s, plan: { firstDates: [], skies: ['clear'], days: 1, warmupDays: 0, devices: 1, seedBase: 5000, faultMix: {} } } as unknown as Parameters<typeof designTables>[0]);
    const cells = (name: string) => lines.find((l) => l.startsWith(`| ${name} |`))!.split('|').map((c) => c.trim());
    expect(lines.find((l) => l.startsWith('| severity |'))).toBe(`| severity | default | cdte-4x4-fs-6385 | ${twin} |`);
    expect(cells('line_line · 1 of 5 modules shorted')).toEqual(['', 'line_line · 1 of 5 modules shorted', '1 of 1', '–', '0 of 1', '']);
    expect(cells('line_line · 1 of 4 modules shorted')).toEqual(['', 'line_line · 1 of 4 modules shorted', '–', '1 of 2', '–', '']);
  });
});

describe('a blocked string on any design', () => {
  it('is a short that leaves the string less open-circuit voltage than the array operates at, as the design makes it', () => {
    const [legacy, cdte, poly] = ['legacy-5x3-cs5p-220m', 'cdte-4x4-fs-6385', 'poly-16x2-cs6p-250p'].map((n) => parseDesign(n));
    // the default 5 × 3 array: 4 × 59.4 V still beats 5 × 46.9 V; 3 × 59.4 V does not
    expect([1, 2].map((k) => shortBlocksString(k, legacy!))).toEqual([false, true]);
    // 3 of 4 CdTe modules (3 × 214 V) fall short of 4 × 173 V
    expect(shortBlocksString(1, cdte!)).toBe(true);
    // 16 poly-Si modules in series: 3 shorted leave 13 × 37.2 V > 16 × 30.1 V, 4 do not
    expect([3, 4].map((k) => shortBlocksString(k, poly!))).toEqual([false, true]);
  });

  it('names a short the group covers on its own design: a one-module CdTe short called string_blocked is named', () => {
    const alarm = { label: 'string_blocked' } as const;
    const truth = { fault: 'line_line', severity: { first: 0, count: 1, resistance: 0.1 } } as const;
    expect(namesFault(alarm, truth)).toBe(false);
    expect(namesFault(alarm, truth, parseDesign('cdte-4x4-fs-6385'))).toBe(true);
  });
});

describe('a line_line alarm as the design reads it (contracts/detector.json alarms.designGroups)', () => {
  it("is its group's where a short of one module blocks the string, read from the registry row as the predict jobs read it", () => {
    const designs = [DEFAULT_DESIGN_NAME, 'cdte-4x4-fs-6385', 'poly-16x2-cs6p-250p'].map((n) => parseDesign(n));
    expect(designs.map((d) => oneShortBlocks(perUnitOfDesign(d)))).toEqual([false, true, false]);
    for (const d of designs) expect(oneShortBlocks(perUnitOfDesign(d))).toBe(shortBlocksString(1, d));
    // not known (no registry row, or one written before tables contract 13): the class keeps its label
    expect(oneShortBlocks(DEFAULT_PER_UNIT)).toBe(false);
    expect(oneShortBlocks({ ...perUnitOfDesign(designs[1]!), vocStcV: null })).toBe(false);
  });

  it('is the product decision, and npm run eval measures the decision without it', () => {
    expect(DECISIONS.alarms!.description).toContain('line_line alarm reported as its group (alarms.designGroups)');
    expect(DECISIONS['alarms-no-design-groups']!.description).not.toContain('alarms.designGroups');
  });
});
