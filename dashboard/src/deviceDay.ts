/**
 * A device's day: its four series (silver) with the windows shaded by the model's label,
 * the plant's condition hatched (the spans the plant gate set aside), the alarm's onset
 * and raise marked and the chosen window outlined, and the class probabilities per
 * window (gold), as uPlot charts sharing the time axis and cursor. A click on a chart
 * chooses the window under it.
 */
import uPlot from 'uplot';
import type { Channel, PlantEvent, Predictions, Series } from './api';
import { labelText, STATE_COLORS, stateColor } from './colors';

const CHANNELS: { key: Channel; title: string }[] = [
  { key: 'irradiance', title: 'Irradiance' },
  { key: 'current', title: 'Current' },
  { key: 'voltage', title: 'Voltage' },
  { key: 'temperature', title: 'Temperature' },
];

const CLASSES = ['normal', 'line_line', 'line_ground', 'open_circuit', 'partial_shading', 'arc_fault'];

const seconds = (iso: string) => Date.parse(iso) / 1000;

/** The plant condition's hatching: grey diagonal lines over whatever the model said there, unlike any class's flat colour. */
export const HATCH_COLOR = '#6b7280';

function hatch(ctx: CanvasRenderingContext2D): CanvasPattern | string {
  const tile = document.createElement('canvas');
  const n = Math.round(9 * uPlot.pxRatio);
  tile.width = tile.height = n;
  const t = tile.getContext('2d')!;
  t.strokeStyle = HATCH_COLOR;
  t.lineWidth = 2 * uPlot.pxRatio;
  t.beginPath();
  t.moveTo(0, n);
  t.lineTo(n, 0);
  t.stroke();
  return ctx.createPattern(tile, 'repeat') ?? '#9ca3af';
}

export interface DeviceDayOptions {
  /** the day's plant condition (/fleet plantConditions): hatched */
  plantEvents: PlantEvent[];
  /** the window whose scalogram is shown: outlined */
  chosen: number | null;
  /** a click on a chart chose the window with this index */
  pick(index: number): void;
}

/** Shades the predicted windows not labelled normal, hatches the plant's condition, and draws the alarm's onset (solid) and raise (dashed) and the chosen window's outline under the series. */
function markings(p: Predictions, o: { plantEvents: PlantEvent[]; chosen: () => number | null }): uPlot.Plugin {
  const alarm = p.summary.alarm;
  return {
    hooks: {
      drawClear: (u: uPlot) => {
        const { ctx } = u;
        const { top, height } = u.bbox;
        ctx.save();
        ctx.globalAlpha = 0.22;
        for (const w of p.windows) {
          if (w.status !== 'predicted' || w.label === null || w.label === 'normal') continue;
          const x0 = u.valToPos(seconds(w.start), 'x', true);
          const x1 = u.valToPos(seconds(w.end), 'x', true);
          ctx.fillStyle = stateColor(w.label);
          ctx.fillRect(x0, top, x1 - x0, height);
        }
        ctx.restore();
        if (o.plantEvents.length) {
          ctx.save();
          ctx.fillStyle = hatch(ctx);
          for (const e of o.plantEvents) {
            const x0 = u.valToPos(seconds(e.start), 'x', true);
            const x1 = u.valToPos(seconds(e.end), 'x', true);
            ctx.fillRect(x0, top, x1 - x0, height);
          }
          ctx.restore();
        }
        if (alarm) {
          ctx.save();
          ctx.strokeStyle = '#111';
          ctx.lineWidth = 2 * uPlot.pxRatio;
          for (const [at, dash] of [
            [alarm.onset, []],
            [alarm.raised, [6 * uPlot.pxRatio, 4 * uPlot.pxRatio]],
          ] as const) {
            const x = Math.round(u.valToPos(seconds(at), 'x', true));
            ctx.setLineDash([...dash]);
            ctx.beginPath();
            ctx.moveTo(x, top);
            ctx.lineTo(x, top + height);
            ctx.stroke();
          }
          ctx.restore();
        }
        const chosen = o.chosen();
        const w = chosen === null ? undefined : p.windows.find((x) => x.index === chosen);
        if (w) {
          ctx.save();
          ctx.strokeStyle = '#111';
          ctx.lineWidth = 1.5 * uPlot.pxRatio;
          const x0 = u.valToPos(seconds(w.start), 'x', true);
          const x1 = u.valToPos(seconds(w.end), 'x', true);
          ctx.strokeRect(x0, top + 1, x1 - x0, height - 2);
          ctx.restore();
        }
      },
    },
  };
}

export interface DeviceDayCharts {
  /** outlines another window (null: none) */
  choose(index: number | null): void;
  destroy(): void;
}

/** Draws the charts into `host` (emptied first); `timeZone` is the plant's, in which the day's times are read. */
export function drawDeviceDay(host: HTMLElement, p: Predictions, s: Series | null, timeZone: string, o: DeviceDayOptions): DeviceDayCharts {
  host.replaceChildren();
  let chosen = o.chosen;
  const marks = () => markings(p, { plantEvents: o.plantEvents, chosen: () => chosen });
  // a click chooses the predicted window under the cursor (skipped windows had no model input)
  const clickable = (u: uPlot) =>
    u.over.addEventListener('click', () => {
      if (u.cursor.left === undefined || u.cursor.left < 0) return;
      const t = u.posToVal(u.cursor.left, 'x') * 1000;
      const w = p.windows.find((x) => x.status === 'predicted' && Date.parse(x.start) <= t && t < Date.parse(x.end));
      if (w) o.pick(w.index);
    });
  const width = Math.max(320, Math.min(host.clientWidth || 900, 1100));
  const tzDate = (ts: number) => uPlot.tzDate(new Date(ts * 1000), timeZone);
  // hours as the plant's operators read them: 24-h, plant-local
  const hours = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit' });
  const xAxis: uPlot.Axis = { values: (_u, splits) => splits.map((s) => hours.format(s * 1000)) };
  const sync = uPlot.sync(`device-${p.deviceId}`);
  // the hatching in words, for the charts' text alternatives
  const condition = o.plantEvents.length ? `; hatched grey: the plant's condition, set aside (${o.plantEvents.map((e) => `${hours.format(Date.parse(e.start))}–${hours.format(Date.parse(e.end))}`).join(', ')})` : '';
  const plots: uPlot[] = [];
  const figure = (title: string, description: string) => {
    const f = document.createElement('figure');
    f.setAttribute('role', 'group');
    f.setAttribute('aria-label', `${title}: ${description}`);
    const caption = document.createElement('figcaption');
    caption.textContent = title;
    f.append(caption);
    host.append(f);
    return f;
  };
  // the day's time range: the series' if any, else the windows'
  const dayStart = s ? seconds(s.start) : seconds(p.windows[0]?.start ?? `${p.date}T00:00:00Z`);
  const dayEnd = s ? dayStart + s.samples * s.stepSeconds : seconds(p.windows[p.windows.length - 1]?.end ?? `${p.date}T23:59:59Z`);

  if (s) {
    const xs = Float64Array.from({ length: s.samples }, (_, i) => dayStart + i * s.stepSeconds);
    for (const c of CHANNELS) {
      const f = figure(`${c.title} (${s.units[c.key]})`, `the day's ${c.key} every ${s.stepSeconds} s, windows shaded by the model's label, the alarm's onset and raise marked${condition}`);
      plots.push(
        new uPlot(
          {
            width,
            height: 110,
            tzDate,
            cursor: { sync: { key: sync.key } },
            legend: { show: false },
            scales: { x: { time: true, min: dayStart, max: dayEnd } },
            axes: [xAxis, { size: 56 }],
            series: [{}, { label: c.title, stroke: '#1f2937', width: 1.25, spanGaps: false }],
            plugins: [marks()],
          },
          [xs as unknown as number[], s.series[c.key] as number[]],
          f,
        ),
      );
    }
  } else {
    const note = document.createElement('p');
    note.textContent = 'The series of this day are not served here (the API answered no series); the windows below are.';
    host.append(note);
  }

  // probabilities: one point per predicted window, at its middle
  const predicted = p.windows.filter((w) => w.status === 'predicted' && w.probabilities);
  const xs = predicted.map((w) => (seconds(w.start) + seconds(w.end)) / 2);
  const f = figure('Class probabilities per window', `${predicted.length} predicted windows; each line is one class's probability${condition}`);
  plots.push(
    new uPlot(
      {
        width,
        height: 170,
        tzDate,
        cursor: { sync: { key: sync.key } },
        scales: { x: { time: true, min: dayStart, max: dayEnd }, y: { range: [0, 1] } },
        axes: [xAxis, { size: 56 }],
        series: [{}, ...CLASSES.map((c) => ({ label: labelText(c), stroke: c === 'normal' ? '#15803d' : (STATE_COLORS[c] ?? '#000'), width: 1.5, points: { show: true, size: 4 } }))],
        plugins: [marks()],
      },
      [xs, ...CLASSES.map((c) => predicted.map((w) => w.probabilities![c] ?? null))] as uPlot.AlignedData,
      f,
    ),
  );
  plots.forEach(clickable);
  return {
    choose(index) {
      chosen = index;
      plots.forEach((u) => u.redraw(false));
    },
    destroy: () => plots.forEach((u) => u.destroy()),
  };
}
