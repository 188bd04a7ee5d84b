/**
 * A device's day: its four series (silver) with the windows shaded by the model's label
 * and the alarm's onset and raise marked, and the class probabilities per window
 * (gold), as uPlot charts sharing the time axis and cursor.
 */
import uPlot from 'uplot';
import type { Channel, Predictions, Series } from './api';
import { labelText, STATE_COLORS, stateColor } from './colors';

const CHANNELS: { key: Channel; title: string }[] = [
  { key: 'irradiance', title: 'Irradiance' },
  { key: 'current', title: 'Current' },
  { key: 'voltage', title: 'Voltage' },
  { key: 'temperature', title: 'Temperature' },
];

const CLASSES = ['normal', 'line_line', 'line_ground', 'open_circuit', 'partial_shading', 'arc_fault'];

const seconds = (iso: string) => Date.parse(iso) / 1000;

/** Shades the predicted windows not labelled normal and draws the alarm's onset (solid) and raise (dashed) under the series. */
function markings(p: Predictions): uPlot.Plugin {
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
        if (!alarm) return;
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
      },
    },
  };
}

export interface DeviceDayCharts {
  destroy(): void;
}

/** Draws the charts into `host` (emptied first); `timeZone` is the plant's, in which the day's times are read. */
export function drawDeviceDay(host: HTMLElement, p: Predictions, s: Series | null, timeZone: string): DeviceDayCharts {
  host.replaceChildren();
  const width = Math.max(320, Math.min(host.clientWidth || 900, 1100));
  const tzDate = (ts: number) => uPlot.tzDate(new Date(ts * 1000), timeZone);
  // hours as the plant's operators read them: 24-h, plant-local
  const hours = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit' });
  const xAxis: uPlot.Axis = { values: (_u, splits) => splits.map((s) => hours.format(s * 1000)) };
  const sync = uPlot.sync(`device-${p.deviceId}`);
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
      const f = figure(`${c.title} (${s.units[c.key]})`, `the day's ${c.key} every ${s.stepSeconds} s, windows shaded by the model's label, the alarm's onset and raise marked`);
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
            plugins: [markings(p)],
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
  const f = figure('Class probabilities per window', `${predicted.length} predicted windows; each line is one class's probability`);
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
        plugins: [markings(p)],
      },
      [xs, ...CLASSES.map((c) => predicted.map((w) => w.probabilities![c] ?? null))] as uPlot.AlignedData,
      f,
    ),
  );
  return { destroy: () => plots.forEach((u) => u.destroy()) };
}
