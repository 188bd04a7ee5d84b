/**
 * npm run simulate:plots — the figures of docs/simulator.md: one chart per fault
 * class (the four readings of a faulty device over a day, its healthy twin under
 * the same sky in grey, the fault's active time shaded), and one per sky type.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAULT_CLASSES, plantDayWindow, type FaultClass } from '../../contracts';
import { LEAK_GROUPS, severityGroup } from '../dataset';
import { stackedChartSvg, type Panel } from '../plots/svgChart';
import type { DeviceDay } from './device';
import { faultAndTwin, plantConfig } from './plant';
import { DEFAULT_SENSOR_RATES } from './sensors';
import { GRID_MS, SKY_TYPES, type SkyType } from './weather';

const OUT = join(__dirname, '..', '..', 'docs', 'images', 'simulator');
const DATE = '2026-06-21';
const TZ = 'Europe/Madrid';

function device(fault: FaultClass, sky: SkyType, seed: number): [DeviceDay, DeviceDay] {
  return faultAndTwin(plantConfig({ date: DATE, timeZone: TZ, devices: 1, seed, sky, sensorRates: DEFAULT_SENSOR_RATES, noiseLevel: [1, 1], keepSeries: true }), fault);
}

/** A typical case of a class: the first seed whose fault starts during the day and then acts for 3 hours or more (a leak to ground of 0.5 A or more). */
function typical(fault: FaultClass): [DeviceDay, DeviceDay] {
  for (let seed = 1; seed <= 100; seed++) {
    const pair = device(fault, 'clear', seed);
    const { truth } = pair[0];
    const acting = truth.active.reduce((sum, [a, b]) => sum + b - a, 0);
    if (fault === 'normal' || (!truth.presentAtStart && acting >= 3 * 3_600_000 && (fault !== 'line_ground' || severityGroup(truth) !== LEAK_GROUPS[0]))) return pair;
  }
  throw new Error(`no typical ${fault} case in seeds 1…100`);
}

function hoursOf(day: DeviceDay, start: number): { x: Float64Array; order: number[] } {
  const r = day.readings;
  const order = Array.from({ length: r.count }, (_, k) => k).sort((a, b) => r.timestamp[a]! - r.timestamp[b]!);
  return { x: Float64Array.from(order, (k) => (r.timestamp[k]! - start) / 3_600_000), order };
}

function chart(title: string, subtitle: string, day: DeviceDay, twin: DeviceDay | null, start: number): string {
  const { x, order } = hoursOf(day, start);
  const gridHours = Float64Array.from({ length: twin?.series?.voltage.length ?? 0 }, (_, k) => (k * GRID_MS) / 3_600_000);
  const channel = (name: 'voltage' | 'current' | 'temperature' | 'irradiance', unit: string, title2: string): Panel => ({
    title: title2,
    unit,
    series: [
      { label: 'readings', color: '#1a73e8', x, y: Float64Array.from(order, (k) => day.readings[name][k]!), width: 0.8 },
      ...(twin ? [{ label: 'healthy twin', color: '#202124', x: gridHours, y: twin.series![name], width: 0.9, dashed: true }] : []),
    ],
  });
  return stackedChartSvg({
    title,
    subtitle,
    xLabel: `hours since plant-local midnight (${DATE}, ${TZ})`,
    xRange: [4, 23],
    xTicks: [4, 6, 8, 10, 12, 14, 16, 18, 20, 22],
    panels: [channel('voltage', 'V', 'voltage'), channel('current', 'A', 'current'), channel('temperature', '°C', 'module temp.'), channel('irradiance', 'W/m²', 'irradiance')],
    bands: day.truth.active.map(([a, b]) => ({ from: (a - start) / 3_600_000, to: (b - start) / 3_600_000, label: 'fault active' })),
  });
}

function main(): void {
  mkdirSync(OUT, { recursive: true });
  const start = plantDayWindow(DATE, TZ).startMs;
  for (const fault of FAULT_CLASSES) {
    const [day, twin] = typical(fault);
    const sev = Object.entries(day.truth.severity).map(([k, v]) => `${k} ${typeof v === 'number' ? Number(v.toPrecision(3)) : v}`).join(', ');
    const onset = day.truth.onsetMs === null ? '' : `onset ${((day.truth.onsetMs - start) / 3_600_000).toFixed(1)} h`;
    const subtitle = [day.truth.intermittent ? 'intermittent' : '', onset, sev].filter(Boolean).join(' · ');
    writeFileSync(join(OUT, `${fault}.svg`), chart(`${fault} — clear day`, subtitle || 'no fault', day, fault === 'normal' ? null : twin, start));
  }
  for (const sky of SKY_TYPES) {
    const [day] = device('normal', sky, 1);
    writeFileSync(join(OUT, `sky-${sky}.svg`), chart(`normal device — ${sky} sky`, `energy ${(day.truth.energyWh / 1000).toFixed(1)} kWh`, day, null, start));
  }
  console.log(`wrote ${FAULT_CLASSES.length + 3} charts to ${OUT}`);
}

main();
