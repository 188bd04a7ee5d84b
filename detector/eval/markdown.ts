/**
 * The evaluation's tables in markdown: printed by `npm run eval` as they are (they
 * read well in a terminal) and written into docs/model-card.md between the eval
 * markers (model/cardSection.ts).
 */
import { FAULT_CLASSES, type FaultClass } from '../../contracts';
import { EVAL_END, EVAL_START } from '../model/cardSection';
import { ALARM_GROUPS } from './decision';
import { pairedInterval, RESAMPLES } from './bootstrap';
import type { EvalReport, RunIdentity } from './evaluate';
import { HEALTHY_BAND, PLANT_MIN_DEVICES, SIGNAL_MIN_IRRADIANCE } from './signals';
import { DESIGN_EVAL_DATE, isTwinName, layoutTwinName, plantDaySpecs, twinName } from './plantDays';
import { GOALS, goalPopulations, type DesignRow, type FalseAlarmRow, type LeakRow, type RecallRow } from './summary';

const pct = (x: number | null) => (x === null ? '–' : `${(100 * x).toFixed(1)} %`);
const minutes = (x: number | null) => (x === null ? '–' : `${x.toFixed(0)} min`);
const count = (n: number) => n.toLocaleString('en-US');

/** A markdown table; `align` has an l or r per column (default: the first left, the others right). */
function table(head: string[], rows: string[][], align = `l${'r'.repeat(head.length - 1)}`): string[] {
  return [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (align[i] === 'l' ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

const recallHead = ['visible', 'named', 'own class', 'delay median', 'delay p90'];
const recallCells = (r: RecallRow) => [count(r.visible), pct(r.namedRate), pct(r.ownClassRate), minutes(r.delayMedianMin), minutes(r.delayP90Min)];
const recallTable = (first: string, rows: Record<string, RecallRow>) => table([first, ...recallHead], Object.entries(rows).map(([k, r]) => [k, ...recallCells(r)]));

const byLabel = (r: FalseAlarmRow) =>
  Object.entries(r.byLabel)
    .sort((a, b) => b[1] - a[1])
    .map(([l, n]) => `${l} ${n}`)
    .join(', ') || '–';
const falseAlarmTable = (first: string, rows: Record<string, FalseAlarmRow>) => table([first, 'healthy', 'alarmed', 'rate', 'as'], Object.entries(rows).map(([k, r]) => [k, count(r.healthy), count(r.alarmed), pct(r.rate), byLabel(r)]), 'lrrrl');

function measured(goal: EvalReport['goals'][number]): string {
  // a delay to a tenth of a minute: one window is 21.3 min, which whole minutes would show as meeting "≤ 21 min"
  return goal.target.endsWith('min') ? (goal.measured === null ? '–' : `${goal.measured.toFixed(1)} min`) : pct(goal.measured);
}

/** A goal's 95 % interval over the plan's arrays, in the goal's unit; '–' without one (or in a report from before intervals). */
function interval(goal: EvalReport['goals'][number]): string {
  if (!goal.interval) return '–';
  const [lo, hi] = goal.interval;
  return goal.target.endsWith('min') ? `${lo.toFixed(1)}–${hi.toFixed(1)} min` : `${(100 * lo).toFixed(1)}–${(100 * hi).toFixed(1)} %`;
}

/**
 * Visible leaks per design and group (`by`: the group column's heading), with how many were
 * named and what they were called, under `intro`: the leak tables' one layout.
 */
function leakTable(designs: Record<string, Record<string, LeakRow>> | undefined, by: string, labels: readonly string[], intro: string): string[] {
  const entries = Object.entries(designs ?? {});
  if (entries.length === 0) return [];
  const rows = entries.flatMap(([design, groups]) => Object.entries(groups).map(([group, row]) => [design, group, count(row.visible), pct(row.namedRate), ...labels.map((l) => count(row.calledAs[l] ?? 0))]));
  return ['', intro, '', ...table(['design', by, 'visible', 'named', ...labels.map((l) => `as ${l}`)], rows, `ll${'r'.repeat(2 + labels.length)}`)];
}

/**
 * Visible leaks by how much of their day the leak blocked its string (eval/blocking.ts),
 * per design: a blocked string reads as an open one.
 */
function leakLines(r: EvalReport): string[] {
  return leakTable(
    r.leaksByBlocking,
    'blocked',
    ['line_ground', ...ALARM_GROUPS.map((g) => g.name), 'line_line', 'open_circuit', 'none'],
    "Visible leaks to ground by how much of their day the leak blocked its string (at each acting daylight window's measured irradiance and module temperature, on the simulator's array model the array then makes, where its tracker settles, what it makes with the string open: eval/blocking.ts), and what they were called:",
  );
}

/**
 * Visible leaks by how hard they pull on the modules under their node (eval/blocking.ts
 * leakDraw), per design: one that draws more than those modules make reads, in bright
 * light, as a short across them.
 */
export function leakDrawLines(r: Pick<EvalReport, 'leaksByDraw'>): string[] {
  return leakTable(
    r.leaksByDraw,
    'draw',
    ['line_ground', 'line_line', ...ALARM_GROUPS.map((g) => g.name), 'open_circuit', 'none'],
    "Visible leaks to ground by the current the leak would draw at the maximum-power voltage of the k modules under its node, in units of their maximum-power current (k · V_mp ÷ (R · I_mp) at STC, R the leak's resistance: eval/blocking.ts leakDraw; at 1 or more it would take all they make, so their voltage sags: in bright light the string conducts with less of it, as across a short, in dim light it is blocked), and what they were called:",
  );
}

/**
 * Visible shadows by the share of the array's power they took as its sensors saw it
 * (eval/shadowLoss.ts), per design: a shadow that takes too little cannot be told from a healthy day.
 */
function shadowLines(r: EvalReport): string[] {
  const designs = Object.entries(r.shadowsByLoss ?? {});
  if (designs.length === 0) return [];
  const labels = ['partial_shading', 'open_circuit', ...ALARM_GROUPS.map((g) => g.name), 'line_ground', 'line_line', 'none'];
  const rows = designs.flatMap(([design, groups]) =>
    Object.entries(groups).map(([group, row]) => [design, group, count(row.visible), pct(row.namedRate), ...labels.map((l) => count(row.calledAs[l] ?? 0)), skyList(row.skies)]),
  );
  return [
    '',
    "Visible shadows by the share of the array's power they took, as its sensors saw it (each bright window's measured power against the design's healthy array at its measured irradiance and module temperature, the windows the shadow acted in against the same day's it did not: eval/shadowLoss.ts), and what they were called:",
    '',
    ...table(['design', 'power taken', 'visible', 'named', ...labels.map((l) => `as ${l}`), 'skies'], rows, `ll${'r'.repeat(2 + labels.length)}l`),
  ];
}

/** A row's skies, most first as counted: "mostly_cloudy 13, broken 1". */
function skyList(skies: Record<string, number> | undefined): string {
  return Object.entries(skies ?? {})
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
}

/**
 * Visible shadows by what the same array's shadow did the day before (the obstacle stays, so the
 * shadow comes back at about the same time of day), per design: the most a memory of that
 * time of day could add is the shadows missed after a day their shadow was named.
 */
function shadowDayBeforeLines(r: EvalReport): string[] {
  const designs = Object.entries(r.shadowsByDayBefore ?? {});
  if (designs.length === 0) return [];
  const labels = ['partial_shading', 'open_circuit', ...ALARM_GROUPS.map((g) => g.name), 'none'];
  const said: Record<string, string> = { named: 'its shadow named', missed: 'its shadow visible, not named', none: 'no visible shadow (or the run\'s first day)' };
  const rows = designs.flatMap(([design, groups]) =>
    Object.entries(groups).map(([group, row]) => [design, said[group] ?? group, count(row.visible), pct(row.namedRate), ...labels.map((l) => count(row.calledAs[l] ?? 0)), skyList(row.skies)]),
  );
  return [
    '',
    "Visible shadows by what the same array's shadow did the day before in the plant's run (warm-up days included; the simulator's obstacle stays, so the shadow comes back at about the same time of day: eval/outcome.ts shadowDayBefore), and what they were called. The groups' skies differ (each plant's days follow one another under their own skies), and a shadow under a mostly cloudy sky takes little power: compare rows by their skies, not by the day before alone:",
    '',
    ...table(['design', 'the day before', 'visible', 'named', ...labels.map((l) => `as ${l}`), 'skies'], rows, `ll${'r'.repeat(2 + labels.length)}l`),
  ];
}

/**
 * Visible shadows by how far partial_shading's own evidence came that day, per design: a
 * decision over the day's windows names none it did not bring to its threshold, and one that
 * remembered other days would name the rest only where the day's readings do not show them.
 */
function shadowEvidenceLines(r: EvalReport): string[] {
  const designs = Object.entries(r.shadowsByEvidence ?? {});
  if (designs.length === 0) return [];
  const labels = ['partial_shading', 'open_circuit', ...ALARM_GROUPS.map((g) => g.name), 'none'];
  const rows = designs.flatMap(([design, groups]) => Object.entries(groups).map(([group, row]) => [design, group, count(row.visible), pct(row.namedRate), ...labels.map((l) => count(row.calledAs[l] ?? 0)), skyList(row.skies)]));
  return [
    '',
    "Visible shadows by how far partial_shading's evidence came that day, the day on its own (its highest over the day as a share of its threshold, from 0, without the recurrence of a shadow named the day before; the plant gate's windows set aside: eval/outcome.ts shadowEvidence), and what they were called. A shadow whose evidence stayed under a quarter of its threshold was never read, in a window or a run of them, as much more likely than its strongest rival: that day's readings barely show it, whatever a decision remembers of the days before:",
    '',
    ...table(['design', 'evidence reached', 'visible', 'named', ...labels.map((l) => `as ${l}`), 'skies'], rows, `ll${'r'.repeat(2 + labels.length)}l`),
  ];
}

/** How well the arrays' own baselines fit them. */
export function baselineLine(r: EvalReport): string {
  const b = r.baseline;
  if (!b || b.healthyDeviceDays === 0 || b.fleetSpread === null || b.ownSpread === null) return 'No counted healthy device-day was judged against its own baseline.';
  const p = (x: number) => `${(100 * x).toFixed(2)} %`;
  return `Baselines: over ${count(b.healthyDeviceDays)} counted healthy device-days judged against their own baseline (the plants without a condition), the ratio of current to irradiance spreads by ${p(b.fleetSpread)} (standard deviation) across the fleet under the same sky, and by ${p(b.ownSpread)} against each array's own baseline: what a leak must stand out from without and with it.`;
}

/** Which device-days the goals are over, and what all of them together reach (reports before counts.withCondition mixed both). */
function countsWithout(r: EvalReport): string {
  const w = r.counts.withCondition as number | undefined;
  if (w === undefined) return 'the goals and tables over all of them';
  if (w === 0) return 'no condition that is not a fault acted on any';
  const any = r.byCondition.any?.faults;
  const visible = r.faults.overall.visible + (any?.visible ?? 0);
  const named = (r.faults.overall.namedRate ?? 0) * r.faults.overall.visible + (any?.namedRate ?? 0) * (any?.visible ?? 0);
  return `the goals and the tables up to the conditions' section are over the ${count(r.counts.healthy + r.counts.faulty)} of the default design on which no condition that is not a fault acted (the ${count(w)} with one, forced on the condition plants' counted days, have their own section${r.counts.otherDesign ? `, as the ${count(r.counts.otherDesign)} of the held-out designs do` : ''}; all device-days of the default design together: ${pct(visible ? named / visible : null)} of ${count(visible)} visible faults named)`;
}

/** The tables of a report, as markdown lines. */
export function reportTables(r: EvalReport): string[] {
  const c = r.counts;
  const calledCols = [...FAULT_CLASSES.slice(1), ...ALARM_GROUPS.map((g) => g.name), 'none'];
  return [
    `${count(c.deviceDays)} device-days; ${countsWithout(r)}: ${count(c.healthy)} healthy, ${count(c.faulty)} faulty (${count(c.visible)} visible, ${count(c.notVisible)} not visible — of those ${count(r.notVisible.alarmed)} alarmed, ${count(r.notVisible.named)} named); ${count(c.noDaylight)} without a daylight window.`,
    '',
    ...table(
      ['goal (issue 18)', 'target', 'measured', '95 % interval', ''],
      r.goals.map((g) => [g.goal, g.target, measured(g), interval(g), g.pass === null ? 'n/a' : g.pass ? 'PASS' : 'FAIL']),
      'lrrrl',
    ),
    '',
    `The 95 % interval is where the measured figure could lie on another draw of the same plan: the 2.5th and 97.5th percentiles over ${count(RESAMPLES)} resamples of the plan's arrays, each array's device-days drawn together (a fault lasts days and a sensor's calibration stays with its array, so device-days are not independent; eval/bootstrap.ts). It measures the plan's sampling, not how far the simulator is from a real plant. A figure whose interval lies wholly on the goal's wrong side misses the goal beyond the plan's noise. (Two decisions or models measured on the same plan are compared over the same arrays, which this interval does not measure: their difference varies less.)`,
    '',
    'Visible faults by class (named: the class or a group covering it; own class: the class itself):',
    '',
    ...recallTable('fault', { ...r.faults.byClass, all: r.faults.overall }),
    '',
    'By severity:',
    '',
    ...recallTable('fault · severity', r.faults.bySeverity),
    '',
    'By sky:',
    '',
    ...recallTable('sky', r.faults.bySky),
    '',
    'By what the array was judged against (own-baseline: its own healthy days; fleet: no healthy day yet, judged as the model was trained, with the thresholds for no history):',
    '',
    ...recallTable('judged against', r.faults.byReference),
    ...(r.faults.byBegan && Object.keys(r.faults.byBegan).length
      ? ['', 'By when the fault began (earlier-day: on an earlier day, so its delay counts from the day\'s first daylight window, and the alarm of the day before, if there was one, was carried in (contracts/detector.json alarms.carry); overnight: this day before the first daylight window, whose dim windows its delay counts from; in-daylight: it began, or first acted, later in the day):', '', ...recallTable('began', r.faults.byBegan)]
      : []),
    ...(r.faults.byActing && Object.keys(r.faults.byActing).length
      ? ['', 'By how many daylight windows the fault acted in that day (the evidence the decision could gather: each label\'s threshold takes one window or more at full score, a new blocked string\'s raise several (the model\'s alarms.json); a fault that acts in few windows began late in the day, or comes and goes, and one that persists is named the next morning, when its alarm is carried in):', '', ...recallTable('acting windows', r.faults.byActing)]
      : []),
    '',
    baselineLine(r),
    '',
    'What visible faults were called (rows: the fault, columns: the alarm):',
    '',
    ...table(['fault', ...calledCols], Object.entries(r.calledAs).map(([f, row]) => [f, ...calledCols.map((l) => count(row[l] ?? 0))])),
    ...leakLines(r),
    ...leakDrawLines(r),
    ...shadowLines(r),
    ...shadowDayBeforeLines(r),
    ...shadowEvidenceLines(r),
    '',
    'False alarms on healthy device-days:',
    '',
    ...falseAlarmTable('sky', { ...r.falseAlarms.bySky, all: r.falseAlarms.overall }),
    '',
    ...falseAlarmTable('judged against', r.falseAlarms.byReference),
    '',
    ...falseAlarmTable('plant-day', r.falseAlarms.byPlantDay),
    ...conditionTables(r),
    ...designTables(r),
    ...signalLines(r),
    ...healthyConditionLines(r),
    ...plantConditionTable(r),
    ...againstBatchTable(r),
  ];
}

/** With another window scoring than the batch's (--scoring): its alarms against the batch's on the same device-days (agreement.ts). */
export function againstBatchTable(r: EvalReport): string[] {
  const a = r.againstBatch;
  if (!a) return [];
  const k = a.kinds;
  const lead = a.lead ? `${minutes(a.lead.median)} median (10th percentile ${minutes(a.lead.p10)}, 90th ${minutes(a.lead.p90)})` : '–';
  return [
    '',
    `Alarms scored ${r.scoring} against the batch's on the same ${count(a.deviceDays)} counted device-days (alike: the same label, onsets within one window; the decision, thresholds, baselines and carry are the batch's):`,
    '',
    ...table(
      ['alike', 'other onset', 'other label', 'only this scoring', 'only the batch', 'neither', 'alike of those alarmed'],
      [[count(k.same), count(k.onset), count(k.label), count(k['only-this']), count(k['only-batch']), count(k.neither), pct(a.alikeShare)]],
      'rrrrrrr',
    ),
    '',
    `Raised earlier than the batch raised the same alarm, window end to window end: ${lead}.`,
  ];
}

/** What each condition is reported as (gold_plant_condition), by what the simulator's condition would be called. */
const EXPECTED_KIND: Record<string, string> = { frost: 'frost', dew: 'dew', snow: 'snow', standby: 'standby', curtailment: 'power_limit', clipping: 'power_limit' };

/**
 * The plant conditions gold reported on each counted plant-day (detector/plantConditions.ts):
 * window slots by kind, and how many of them carry the kind the plant-day's condition
 * would be called (its own condition's windows; other plant-days' events have none to match).
 */
export function plantConditionTable(r: EvalReport): string[] {
  const days = r.plantConditions ?? [];
  if (days.length === 0) return [];
  const rows = days.filter((d) => d.reported.length > 0 || d.condition !== null);
  const kinds = (d: (typeof days)[number]) => {
    const by = new Map<string, number>();
    for (const c of d.reported) by.set(c.kind, (by.get(c.kind) ?? 0) + c.windows);
    return [...by].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ') || '–';
  };
  const expected = (d: (typeof days)[number]) => (d.condition ? (EXPECTED_KIND[d.condition] ?? 'none') : 'none');
  // the longest run's readings against the day's reference slots: what its kind was told by
  const readings = (d: (typeof days)[number]) => {
    const run = [...d.reported].sort((a, b) => b.windows - a.windows)[0];
    const x = (v: number | null | undefined) => (v === null || v === undefined ? '–' : v.toFixed(2));
    return run && (run.currentRatio !== undefined || run.voltageRatio !== undefined) ? `${x(run.currentRatio)} / ${x(run.voltageRatio)}` : '–';
  };
  const matching = (d: (typeof days)[number]) => d.reported.filter((c) => c.kind === expected(d)).reduce((n, c) => n + c.windows, 0);
  const total = (d: (typeof days)[number]) => d.reported.reduce((n, c) => n + c.windows, 0);
  const withCondition = rows.filter((d) => expected(d) !== 'none');
  const named = withCondition.reduce((n, d) => n + matching(d), 0);
  const set = withCondition.reduce((n, d) => n + total(d), 0);
  const quiet = days.filter((d) => d.condition === null);
  return [
    '',
    `What the plant gate's events were, by the plant's readings (gold_plant_condition; contracts/detector.json alarms.plantGate.conditions): on the plant-days of a condition that sets the plant aside, ${count(named)} of ${count(set)} set-aside window slots (${pct(set ? named / set : null)}) were reported as the condition's kind (curtailment and clipping as power_limit: without the converter's rating the readings cannot tell them apart; soiling has no kind of its own: a loss the whole plant shares all day has no rest of the day to be told against, so where it sets the plant aside it is reported as unknown). The last column is what the longest run's kind was told by: the plant's current per irradiance and its voltage (corrected to the run's temperature) against the day's reference slots; the ${quiet.length} plant-days without a condition reported ${count(quiet.reduce((n, d) => n + total(d), 0))} set-aside window slots.`,
    '',
    ...table(
      ['plant-day', 'condition', 'reported as (window slots)', 'as its kind', 'longest run: current / voltage against the reference'],
      rows.map((d) => [d.plantDay, d.condition ?? '–', kinds(d), expected(d) === 'none' ? '–' : `${count(matching(d))} of ${count(total(d))}`, readings(d)]),
      'llllr',
    ),
  ];
}

/** Conditions that are not faults: per kind, false alarms on the healthy device-days it acted on and the faults named on the faulty ones. */
export function conditionTables(r: EvalReport): string[] {
  const rows = Object.entries(r.byCondition ?? {});
  if (rows.length === 0) return [];
  return [
    '',
    'Conditions that are not faults (simulator/conditions.ts; a device-day counts under each condition that acted on the array that day, in daylight or in the low light the model skips): false alarms on the healthy device-days, visible faults named on the faulty ones:',
    '',
    ...table(
      ['condition', 'healthy', 'alarmed', 'rate', 'as', 'visible faults', 'named'],
      rows.map(([k, c]) => [k, count(c.falseAlarms.healthy), count(c.falseAlarms.alarmed), pct(c.falseAlarms.rate), byLabel(c.falseAlarms), count(c.faults.visible), pct(c.faults.namedRate)]),
      'lrrrlrr',
    ),
  ];
}

/**
 * The held-out designs (issue 20: each within 2 points of the trained design on the
 * device-level goals): per design plant, false alarms and faults named beside the
 * default design's ordinary device-days, and beside its twin (the default design on the
 * same plant-days: the same weather), with the gaps in points.
 */
export function designTables(r: EvalReport): string[] {
  const rows = Object.entries(r.byDesign ?? {});
  const base = r.byDesign?.default;
  if (!base || rows.length < 2) return [];
  const points = (a: number | null, b: number | null | undefined) => (a === null || b === null || b === undefined ? '–' : `${(100 * (a - b)).toFixed(1)}`);
  const twinOf = (k: string) => r.byDesign?.[twinName(k)];
  const layoutTwinOf = (k: string) => r.byDesign?.[layoutTwinName(k)];
  const names = rows.map(([d]) => d);
  const isHeldOut = (k: string) => k !== 'default' && !isTwinName(k, names);
  return [
    '',
    `Held-out array designs (\`--designs\`: one plant of each, every array of that design, its days as a plan plant's from ${DESIGN_EVAL_DATE}; contracts/designs.json): false alarms on the healthy device-days and visible faults named, against the default design the model was trained on (issue 20's goal: within 2 points of it), over the plan's plants and over the design's twin: the same plant-days (seed, dates, skies, so the same weather) with the default design's arrays, whose faults are drawn for that design; and over its layout twin: the same plant-days and the same arrays, faults, sensors and layout, built of the default design's module, so that the gap to it is what the module's technology costs and the rest of the gap to the twin what the layout leaves to see:`,
    '',
    ...table(
      ['design', 'healthy', 'false alarms', 'rate', 'points vs default', 'points vs twin', 'points vs layout twin', 'visible faults', 'named', 'points vs default', 'points vs twin', 'points vs layout twin', 'delay median'],
      rows.map(([k, c]) => [
        k,
        count(c.falseAlarms.healthy),
        count(c.falseAlarms.alarmed),
        pct(c.falseAlarms.rate),
        k === 'default' ? '' : points(c.falseAlarms.rate, base.falseAlarms.rate),
        isHeldOut(k) ? points(c.falseAlarms.rate, twinOf(k)?.falseAlarms.rate) : '',
        isHeldOut(k) ? points(c.falseAlarms.rate, layoutTwinOf(k)?.falseAlarms.rate) : '',
        count(c.faults.visible),
        pct(c.faults.namedRate),
        k === 'default' ? '' : points(c.faults.namedRate, base.faults.namedRate),
        isHeldOut(k) ? points(c.faults.namedRate, twinOf(k)?.faults.namedRate) : '',
        isHeldOut(k) ? points(c.faults.namedRate, layoutTwinOf(k)?.faults.namedRate) : '',
        minutes(c.faults.delayMedianMin),
      ]),
      'lrrrrrrrrrrrr',
    ),
    '',
    'Visible faults named by class, per design (named of visible; a short is named by the group string_blocked where it blocks its string on that design: detector/eval/decision.ts shortBlocksString):',
    '',
    ...table(
      ['fault', ...rows.map(([k]) => k)],
      FAULT_CLASSES.filter((f) => f !== 'normal').map((f) => [f, ...rows.map(([, c]) => {
        const x = c.byClass?.[f];
        return x && x.visible ? `${pct(x.namedRate)} (${x.named} of ${x.visible})` : '–';
      })]),
      `l${'r'.repeat(rows.length)}`,
    ),
    ...designSeverityTable(rows),
  ];
}

/**
 * Visible faults named by severity group, per design: a design's groups are its own
 * (a short of 1 of 16 modules takes a sixteenth of its string's voltage, 1 of 5 a fifth;
 * a leak's current is its node's voltage over its resistance), so a row reads what that
 * design's physics leaves to see. Rows in the order the designs list them.
 */
function designSeverityTable(rows: readonly [string, DesignRow][]): string[] {
  if (!rows.some(([, c]) => c.bySeverity)) return [];
  const keys = [...new Set(rows.flatMap(([, c]) => Object.keys(c.bySeverity ?? {})))];
  const order = (k: string) => FAULT_CLASSES.indexOf(k.split(' · ')[0] as FaultClass);
  keys.sort((a, b) => order(a) - order(b));
  return [
    '',
    "Visible faults named by severity, per design (named of visible; each design's groups are its own: a short by how many of its string's modules it spans, a leak by the current its node's voltage drives through it, dataset.ts severityGroup):",
    '',
    ...table(
      ['severity', ...rows.map(([k]) => k)],
      keys.map((key) => [key, ...rows.map(([, c]) => {
        const x = c.bySeverity?.[key];
        return x && x.visible ? `${x.named} of ${x.visible}` : '–';
      })]),
      `l${'r'.repeat(rows.length)}`,
    ),
  ];
}

/** A level's relative shift, signed: +0.3 %, −3.2 %. */
const shift = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(1)} %`;
/** A figure a report may lack (older reports, or nothing to measure it on): '–'. */
const orDash = (x: number | null | undefined, format: (x: number) => string) => (x === null || x === undefined ? '–' : format(x));

/** The fault class (not normal, nor `except`) with the largest share of the windows, and its share; '–' when none was read. */
function mostReadFault(readAs: readonly number[], except = -1): string {
  let best = -1;
  readAs.forEach((share, c) => {
    if (c !== 0 && c !== except && share > 0 && (best < 0 || share > readAs[best]!)) best = c;
  });
  return best < 0 ? '–' : `${FAULT_CLASSES[best]} ${pct(readAs[best]!)}`;
}

/**
 * What each fault left in the model's levels and how the model read its windows, per
 * design group (signals.ts): a fault whose windows lie within the healthy spread is
 * beyond what these channels show; one whose windows lie outside it and are read as
 * normal is the window model's to learn.
 */
export function signalLines(r: Pick<EvalReport, 'signals'>): string[] {
  // the fault class other than its own (and normal) the windows were read as most, with its share
  const otherFault = (key: string, readAs: readonly number[] | undefined): string => (readAs ? mostReadFault(readAs, FAULT_CLASSES.indexOf(key.split(' · ')[0] as FaultClass)) : '–');
  const groups = Object.entries(r.signals ?? {}).filter(([, t]) => t.healthy && Object.keys(t.bySeverity).length);
  if (groups.length === 0) return [];
  const [lo, hi] = HEALTHY_BAND.map((p) => Math.round(100 * p));
  const ordinal = (n: number) => `${n}${n % 10 === 1 && n % 100 !== 11 ? 'st' : n % 10 === 2 && n % 100 !== 12 ? 'nd' : n % 10 === 3 && n % 100 !== 13 ? 'rd' : 'th'}`;
  const band = ([a, m, b]: readonly number[]) => `${a!.toFixed(3)}–${b!.toFixed(3)} (median ${m!.toFixed(3)})`;
  return [
    '',
    `What each fault left in the model's levels, and how the model read it (eval/signals.ts): the bright windows (mean irradiance ≥ ${SIGNAL_MIN_IRRADIANCE} W/m²) in which the fault acted in every slot, of the device-days no condition acted on; their median per-unit voltage and current per irradiance (the baseline's gain applied) against the same design's healthy bright windows; the share with either level outside the healthy windows' ${ordinal(lo!)}–${ordinal(hi!)} percentiles; the share whose current per irradiance against its plant's (over the plant-day's devices' median at the same window, where at least ${PLANT_MIN_DEVICES} predicted it: the sky and a plant-wide condition drop out of it; not a level the model reads) lies outside the same percentiles of the healthy windows' against theirs; and the share the model gave its highest probability to the fault's own class, to normal, and to the other fault it read them as most. Windows outside the healthy spread yet read as normal are the window model's gap; a fault whose windows stay inside it is beyond what the four channels show in a window.`,
    ...groups.flatMap(([name, t]) => [
      '',
      `${name}: ${count(t.healthy!.windows)} healthy bright windows, per-unit voltage ${band(t.healthy!.voltage)}, current per irradiance ${band(t.healthy!.ratio)}${t.healthy!.plantRatio ? `, against the plant's ${band(t.healthy!.plantRatio)}` : ''} (${ordinal(lo!)}–${ordinal(hi!)} percentiles).`,
      '',
      ...table(
        ['fault · severity', 'device-days', 'windows', 'voltage', 'current / irradiance', `outside ${lo}–${hi} %`, 'outside against the plant', 'read as its class', 'read as normal', 'read most as another fault'],
        Object.entries(t.bySeverity).map(([k, x]) => [k, count(x.deviceDays), count(x.windows), shift(x.voltageShift), shift(x.ratioShift), pct(x.outside), orDash(x.outsidePlant, pct), pct(x.readOwn), pct(x.readNormal), otherFault(k, x.readAs)]),
      ),
    ]),
  ];
}

/**
 * What each condition left in a healthy array's levels and how the model read its
 * windows (signals.ts healthyByCondition): a condition the gain leaves in the levels and
 * the model reads as a fault is one only a threshold holds off.
 */
export function healthyConditionLines(r: Pick<EvalReport, 'healthyByCondition'>): string[] {
  const rows = Object.entries(r.healthyByCondition ?? {});
  if (rows.length === 0) return [];
  return [
    '',
    `Healthy arrays under each condition and sky (eval/signals.ts healthyByCondition), the default design's counted device-days: their bright windows' (mean irradiance ≥ ${SIGNAL_MIN_IRRADIANCE} W/m²) median per-unit current per irradiance against the clean healthy windows' of every sky, as the array's own sensor sees it, with its baseline's gain applied (what the model reads; the gain is relative to the fleet, so what a condition does to every array alike stays) and against its plant's at the same window (over the clean healthy windows' median of it; a plant-wide condition drops out), and the share of the windows the model read as normal and as the fault it read them as most.`,
    '',
    ...table(
      ['condition · sky', 'device-days', 'windows', 'current / irradiance', 'with the gain', 'against the plant', 'read as normal', 'read most as a fault'],
      rows.map(([k, x]) => [k, count(x.deviceDays), count(x.windows), shift(x.rawRatioShift), shift(x.ratioShift), orDash(x.plantRatioShift, shift), pct(x.readAs[0]!), mostReadFault(x.readAs)]),
    ),
  ];
}

/** Who measured what, in one paragraph. */
export function runLine(r: EvalReport): string {
  const p = r.plan;
  const skies = [...new Set(plantDaySpecs(p).map((s) => s.sky))].join(', ');
  return `Decision \`${r.decision.name}\`: ${r.decision.description}. Model ${r.modelVersion}${r.windows === 'truth' ? ', its window probabilities replaced by the truth (a perfect window classifier: the ceiling of the decision)' : ''}${r.scoring && r.scoring !== 'batch' ? `, the counted days' windows scored ${r.scoring} (each window's scalogram as it reads the moment the window ends, the samples after it stood in for: ${r.scoring.slice(4)})` : ''}. ${r.plantDays.length} held-out plant-days (${p.firstDates.length} plants × ${p.days} day${p.days === 1 ? '' : 's'}${p.warmupDays ? `, each after ${p.warmupDays} warm-up days run but not counted (their alarms build the arrays' baselines)` : ''}, first days ${p.firstDates.join(', ')}; skies ${skies}${p.conditions?.length ? `; and ${p.conditions.length} plants of conditions that are not faults, ${p.conditions.join(', ')}, ${p.conditionDays ?? 1} counted day${(p.conditionDays ?? 1) === 1 ? '' : 's'} each after the same warm-up` : ''}${p.designs?.length ? `; and ${p.designs.length} plants of held-out designs, ${p.designs.join(', ')}, ${p.days} counted days each after the same warm-up, each design's twin (its plant-days with the default design's arrays) and layout twin (its arrays built of the default design's module)` : ''}; seeds ${p.seedBase}+, never used in training) × ${count(p.devices)} devices, fault mix ${Object.entries(p.faultMix).map(([k, v]) => `${k} ${v}`).join(', ')}.`;
}

/** What the same decision reaches on the same device-days with a perfect window classifier (--windows truth). */
export function ceilingLine(c: EvalReport): string {
  const cls = (f: string) => `${f} ${pct(c.faults.byClass[f]?.namedRate ?? null)}`;
  return `With a perfect window classifier (\`--windows truth\`: each daylight window certain of its training label) the same decision names ${pct(c.faults.overall.namedRate)} of the visible faults (${FAULT_CLASSES.slice(1).map(cls).join(', ')}), with ${pct(c.falseAlarms.overall.rate)} false alarms and a delay of ${minutes(c.faults.overall.delayMedianMin)} median, ${minutes(c.faults.overall.delayP90Min)} p90: the limit of the decision itself, whatever the model.${designCeilings(c)}`;
}

/** The ceiling per held-out design beside its twin's: whether a design's gap is the decision's or the window model's. */
function designCeilings(c: EvalReport): string {
  const designs = Object.keys(c.byDesign ?? {}).filter((d) => d !== 'default' && c.byDesign![twinName(d)]);
  if (designs.length === 0) return '';
  const named = (d: string) => `${count(c.byDesign![d]!.faults.named)} of ${count(c.byDesign![d]!.faults.visible)} (${pct(c.byDesign![d]!.faults.namedRate)})`;
  const layout = (d: string) => (c.byDesign![layoutTwinName(d)] ? ` and ${named(layoutTwinName(d))} on its layout twin` : '');
  return ` On the held-out designs it names ${designs.map((d) => `${named(d)} on ${d} against ${named(twinName(d))} on its twin${layout(d)}`).join(', and ')}: where a design's gap to its twin is wider with the model, the window model is its limit, not the decision.`;
}

/** The device-days of a report's goals (summary.ts goalPopulations); null for a report without outcomes (a hand-made one: nothing to resample). */
const populationsOf = (r: EvalReport) => (Array.isArray(r.outcomes) ? goalPopulations(r.outcomes) : null);

/** A goal's after − before over the same arrays, as its 95 % interval (in points of a share, or minutes); '–' where either report has no outcomes of it or too few to say. */
function difference(before: ReturnType<typeof populationsOf>, after: ReturnType<typeof populationsOf>, name: string): string {
  const spec = GOALS.find((g) => g.goal === name);
  if (!spec || !before || !after) return '–';
  const d = pairedInterval(before[spec.over], after[spec.over], spec.statistic);
  if (!d) return '–';
  const signed = (x: number) => {
    const r = Math.round(10 * x) / 10;
    return `${r > 0 ? '+' : r < 0 ? '−' : ''}${Math.abs(r).toFixed(1)}`;
  };
  return spec.unit === 'min' ? `${signed(d[0])} to ${signed(d[1])} min` : `${signed(100 * d[0])} to ${signed(100 * d[1])} points`;
}

/**
 * Two models on the same held-out plan (`npm run eval -- --before <report>`): the goals,
 * the classes and the conditions side by side, the earlier model first.
 */
export function beforeAfterTables(before: EvalReport, after: EvalReport): string[] {
  return [
    `Before and after, on the same held-out plan (\`npm run eval -- --before\`): the product as it was — model ${before.modelVersion}, its calibrated thresholds, the ${before.decision.name} decision ${before.decision.description === after.decision.description ? 'as above' : `as it was then (${before.decision.description})`} — against the product now, model ${after.modelVersion}.`,
    '',
    ...comparisonTables(before, after),
  ];
}

/** Two runs on the same plan (beforeAfterTables; npm run eval:compare): the goals with their difference's interval, the classes and the conditions, `before` first. */
export function comparisonTables(before: EvalReport, after: EvalReport): string[] {
  const goal = (r: EvalReport, name: string) => r.goals.find((g) => g.goal === name);
  const named = (r: EvalReport, f: string) => pct(r.faults.byClass[f]?.namedRate ?? null);
  const conditions = [...new Set([...Object.keys(before.byCondition ?? {}), ...Object.keys(after.byCondition ?? {})])];
  const rate = (r: EvalReport, k: string) => pct(r.byCondition?.[k]?.falseAlarms.rate ?? null);
  const [populationsBefore, populationsAfter] = [populationsOf(before), populationsOf(after)];
  return [
    ...table(
      ['goal', 'target', 'before', 'after', 'after − before: 95 % interval'],
      after.goals.map((g, i) => {
        // by name; a goal renamed since keeps its place in the list
        const b = goal(before, g.goal) ?? (before.goals.length === after.goals.length ? before.goals[i] : undefined);
        return [g.goal, g.target, b ? measured(b) : '–', measured(g), difference(populationsBefore, populationsAfter, g.goal)];
      }),
    ),
    '',
    `The difference's interval: the 2.5th and 97.5th percentiles of the after figure less the before figure over ${count(RESAMPLES)} resamples of the plan's arrays, the same arrays drawn for both (eval/bootstrap.ts pairedInterval); one that holds 0 does not tell the two apart on this plan.`,
    '',
    ...table(['visible faults named', 'before', 'after'], [...FAULT_CLASSES.slice(1), 'all'].map((f) => [f, f === 'all' ? pct(before.faults.overall.namedRate) : named(before, f), f === 'all' ? pct(after.faults.overall.namedRate) : named(after, f)])),
    ...(conditions.length === 0 ? [] : ['', ...table(['false alarms, healthy device-days with the condition', 'before', 'after'], conditions.map((k) => [k, rate(before, k), rate(after, k)]))]),
  ];
}

/** Whether two runs' plans differ but for the held-out design plants (which come after every other plant, and which the goals and comparison tables leave out). */
export function planProblem(a: Pick<RunIdentity, 'plan'>, b: Pick<RunIdentity, 'plan'>): boolean {
  const comparable = (plan: EvalReport['plan']) => JSON.stringify({ ...plan, designs: undefined });
  return comparable(a.plan) !== comparable(b.plan);
}

/**
 * Why an earlier report cannot stand beside this one (null: it can): the same plan, decision
 * and window source. The held-out design plants may differ: they come after every other
 * plant (the others keep their seeds) and the before/after tables leave them out, as the goals do.
 */
export function beforeProblem(before: EvalReport, after: RunIdentity): string | null {
  if (planProblem(before, after)) return 'its plan (plants, dates, skies, days, devices, seeds, fault mix, conditions) differs from this run\'s';
  if (before.decision.name !== after.decision.name) return `its decision is ${before.decision.name}, this run's ${after.decision.name}`;
  if (before.windows !== after.windows) return `its windows are ${before.windows}, this run's ${after.windows}`;
  // the same model is a before only when the product's decision changed since (as when the alarm got its second stage)
  if (before.modelVersion === after.modelVersion && before.decision.description === after.decision.description) return `it is this model's own report (${after.modelVersion}) with the same decision`;
  return null;
}

/** The model card's section, markers included; `ceiling`: the same run with --windows truth; `before`: an earlier model, or decision, on the same plan. */
export function cardSection(r: EvalReport, ceiling?: EvalReport, before?: EvalReport): string {
  return [
    EVAL_START,
    '## Device-days: what operators see (`npm run eval`)',
    '',
    '_Written by `npm run eval` (detector/eval/); `npm run train` and `model:card` keep this section._',
    '',
    runLine(r),
    '',
    'Definitions (detector/eval/outcome.ts), one for every device-level figure: a **daylight window** is one the model classified (not skipped for low sun or missing data); a fault **acts** in a window when it acts on at least one of its 20-s slots, and is **visible** when it acts in at least two daylight windows (only visible faults count in recall; every healthy device-day counts in false alarms). An alarm **names** a fault when its label is the fault\'s class, or a group listing the class that the readings cannot split (`string_blocked`: an open string, or a short of ≥ 2 of the string\'s 5 modules; a one-module short named so is not named). **Delay**: daylight minutes from the onset — for a fault that did not act in daylight at its onset (there before the first daylight window, a shadow that reaches the array later in the day, an intermittent fault between its episodes), from the start of the first daylight window it acts in — to the end of the window in which the alarm was raised; median and 90th percentile (nearest rank) over the named faults.',
    '',
    ...reportTables(r),
    ...(ceiling ? ['', ceilingLine(ceiling)] : []),
    ...(before ? ['', ...beforeAfterTables(before, r)] : []),
    '',
    "The issue's last goal, the predict stage's time on the 10k-device June day, is measured by `npm run bench:pipeline` (docs/performance.md), not here.",
    EVAL_END,
  ].join('\n');
}
