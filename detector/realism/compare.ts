/** The side-by-side table of `npm run sim:realism`: simulated against measured, ratio, and whether within ±25 %. */
import { SKY_CLASSES, type ClassStats, type SkyClass } from './skyStats';
import type { SimulatedResult } from './simulated';

/** What detector/realism/measured.py writes. */
export interface MeasuredResult {
  pvlib: string;
  sources: { name: string; file: string; network: string; station: string; latitude: number; longitude: number; altitude: number; first: string; last: string; resolution: string; days: number }[];
  days: { source: string; date: string; minutes: number; kc: number; vi: number; sky: SkyClass }[];
  ghi: Record<SkyClass, ClassStats | null>;
  /** per source: medians over its nights; resolution: the file's smallest step between values, W/m² */
  night: { source: string; nights: number; resolution: number; sdMedian: number | null; absMeanMedian: number | null; withinMinuteSdMedian: number | null }[];
}

export const TOLERANCE = 0.25;

/** Issue 23's figures from a real rooftop system's 1-min DC current and plane-of-array irradiance (the data is not in the repository). */
export const ROOFTOP = { residualSd: 5.4, edgeSd: 7, beyond10: 0.095, voltageJitter: 4 * 0.2 } as const;

export interface Row {
  section: string;
  stat: string;
  simulated: number | null;
  measured: number | null;
  /** simulated / measured */
  ratio: number | null;
  /** |simulated − measured| ≤ 25 % of measured; null where not judged (a side missing, or a share of a sample that is no climate) */
  within: boolean | null;
  /** the two columns' names, when not simulated and measured */
  columns?: [string, string];
}

function row(section: string, stat: string, simulated: number | null | undefined, measured: number | null | undefined, judged = true, columns?: [string, string]): Row {
  const s = simulated ?? null;
  const m = measured ?? null;
  const ratio = s !== null && m !== null && m !== 0 ? s / m : null;
  const within = judged && s !== null && m !== null ? Math.abs(s - m) <= TOLERANCE * Math.abs(m) : null;
  return { section, stat, simulated: s, measured: m, ratio, within, ...(columns && { columns }) };
}

const GHI_STATS: [keyof ClassStats, string][] = [
  ['kc', 'clear-sky index, day (median)'],
  ['vi', 'variability index (median)'],
  ['rampP50', '|ΔG| 1-min p50, W/m²'],
  ['rampP90', '|ΔG| 1-min p90, W/m²'],
  ['rampP99', '|ΔG| 1-min p99, W/m²'],
  ['largeRampShare', 'minutes with |ΔG| > 100'],
  ['minuteKcP10', 'clear-sky index, minutes p10'],
  ['minuteKcP50', 'clear-sky index, minutes p50'],
  ['minuteKcP90', 'clear-sky index, minutes p90'],
];

export function compare(sim: SimulatedResult, measured: MeasuredResult): { rows: Row[]; within: number; judged: number } {
  const rows: Row[] = [];
  for (const sky of SKY_CLASSES) {
    const s = sim.ghi[sky];
    const m = measured.ghi[sky];
    // the measured days are a few months of a few stations, not a climate: their mix of skies is shown, not judged
    rows.push(row(`GHI · ${sky}`, 'days (share of all days)', s?.dayShare ?? 0, m?.dayShare ?? 0, false));
    for (const [key, label] of GHI_STATS) rows.push(row(`GHI · ${sky}`, label, s?.[key], m?.[key]));
  }
  for (const n of measured.night) {
    // a file of whole W/m² rounds sub-W/m² noise away: shown, not judged
    const fine = n.resolution < 0.5;
    const section = `irradiance sensor at night · ${n.source} (${n.nights} night${n.nights === 1 ? '' : 's'}, values in steps of ${n.resolution} W/m²)`;
    rows.push(row(section, 'sd of 1-min values, median over nights, W/m²', sim.night.sdMedian, n.sdMedian, fine));
    rows.push(row(section, '|mean| (offset), median over nights, W/m²', sim.night.absMeanMedian, n.absMeanMedian, fine));
    if (n.withinMinuteSdMedian !== null) rows.push(row(section, 'sd of single readings (sim: 20-s readings; measured: 1-s samples within a minute), W/m²', sim.night.readingSdMedian, n.withinMinuteSdMedian));
  }
  // daytime sensor noise: on clear days the sky is smooth, so 1-min ramps are mostly the sensor's own (POA against GHI: their clear-sky slopes differ by a few W/m² per minute)
  const clearSensor = sim.poaSensor.clear;
  const clearMeasured = measured.ghi.clear;
  const section = 'irradiance sensor by day · clear days (sim: POA sensor as delivered; measured: GHI pyranometers)';
  rows.push(row(section, '|ΔG| 1-min p50, W/m²', clearSensor?.rampP50, clearMeasured?.rampP50));
  rows.push(row(section, '|ΔG| 1-min p90, W/m²', clearSensor?.rampP90, clearMeasured?.rampP90));
  // healthy current against its irradiance sensor: no registry package ships DC current beside a plane-of-array sensor, so the
  // reference is the figures issue 23 reports from a real rooftop system's 1-min data (kept outside the repository)
  const all = sim.mismatchAll;
  if (all) {
    const section = `healthy current against its irradiance sensor, all days (sim: ${all.minutes} minutes, G ≥ 200 W/m²; reference: a real rooftop's 1-min data as issue 23 reports it)`;
    const cols: [string, string] = ['simulated', 'rooftop'];
    rows.push(row(section, 'sd of I/G about the day’s median, %', all.sd, ROOFTOP.residualSd, true, cols));
    rows.push(row(section, 'the same at cloud edges (|ΔG| > 50 W/m² in the minute), %', all.edgeSd, ROOFTOP.edgeSd, true, cols));
    rows.push(row(section, 'minutes with I/G beyond ±10 % of the day’s median', all.beyond10, ROOFTOP.beyond10, true, cols));
  }
  if (sim.voltageJitter !== null) {
    // issue 23: a real rooftop's voltage jitter is ~4× the simulator's before its calibration (0.20 %: this statistic on that simulator, commit bc3e8a5)
    rows.push(row('healthy voltage jitter, clear days (median |ΔV| ÷ V between 1-min means, G ≥ 500 W/m²; reference: 4 × the uncalibrated simulator, as issue 23 reports)', '%', sim.voltageJitter, ROOFTOP.voltageJitter, true, ['simulated', 'rooftop']));
  }
  // the simulator alone, per class: cloud edges against the rest
  for (const sky of SKY_CLASSES) {
    const m = sim.mismatch[sky];
    if (!m || m.edgeMinutes < 100) continue; // a handful of edge minutes (a clear day's haze) is no sample
    rows.push(row(`simulated current against its irradiance sensor · ${sky} (healthy arrays, 1-min, G ≥ 200 W/m²; ${m.edgeMinutes} cloud-edge and ${m.steadyMinutes} other minutes)`, 'sd of I/G about the day’s median, %', m.edgeSd, m.steadySd, false, ['cloud edges', 'elsewhere']));
  }
  // the simulator alone: how much of the POA sensor's ramps its own noise adds (no measured POA pair to hold it to)
  for (const sky of SKY_CLASSES) {
    const sensor = sim.poaSensor[sky];
    const truth = sim.poaTruth[sky];
    if (!sensor || !truth) continue;
    rows.push(row(`simulated POA · ${sky}: sensor vs truth`, '|ΔG| 1-min p50, W/m²', sensor.rampP50, truth.rampP50, false, ['sensor', 'truth']));
    rows.push(row(`simulated POA · ${sky}: sensor vs truth`, '|ΔG| 1-min p90, W/m²', sensor.rampP90, truth.rampP90, false, ['sensor', 'truth']));
  }
  const judged = rows.filter((r) => r.within !== null);
  return { rows, within: judged.filter((r) => r.within).length, judged: judged.length };
}

function fmt(v: number | null, stat: string): string {
  if (v === null || Number.isNaN(v)) return '—';
  if (stat.startsWith('days') || stat.startsWith('minutes with')) return `${(v * 100).toFixed(1)} %`;
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

export function formatTable(report: { rows: Row[]; within: number; judged: number }): string {
  let head = ['', 'simulated', 'measured', 'ratio', '±25 %'];
  const lines: string[][] = [];
  let section = '';
  const out: string[] = [];
  const flush = () => {
    if (lines.length === 0) return;
    const widths = head.map((h, c) => Math.max(h.length, ...lines.map((l) => l[c]!.length)));
    out.push(`\n${section}`);
    out.push(head.map((h, c) => (c === 0 ? h.padEnd(widths[c]!) : h.padStart(widths[c]!))).join('  '));
    for (const l of lines) out.push(l.map((x, c) => (c === 0 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join('  '));
    lines.length = 0;
  };
  for (const r of report.rows) {
    if (r.section !== section) {
      flush();
      section = r.section;
      head = ['', ...(r.columns ?? ['simulated', 'measured']), 'ratio', r.within === null && r.columns ? '' : '±25 %'];
    }
    lines.push([`  ${r.stat}`, fmt(r.simulated, r.stat), fmt(r.measured, r.stat), r.ratio === null ? '—' : `${r.ratio.toFixed(2)}×`, r.within === null ? '' : r.within ? 'yes' : 'NO']);
  }
  flush();
  out.push(`\nwithin ±25 %: ${report.within} of ${report.judged} judged statistics`);
  return out.join('\n');
}
