/**
 * A window's scalograms as images: one canvas per channel (its 64 × 64 values as
 * ImageData, scaled up without smoothing so each value stays a crisp cell), with the
 * scale axis (1 at the top, as the tensor's rows) and the time axis, a colour-scale
 * legend shared by the four, and each image's text alternative (scalogramModel.ts).
 */
import type { Scalogram } from './api';
import { colourOf, describePlane, periodSeconds, planePixels, planesOf } from './scalogramModel';

const CELL = 3;
const LEFT = 46;
const BOTTOM = 30;
const TOP = 6;
const RIGHT = 10;
const INK = '#1f2937';

const TITLES: Record<string, string> = { voltage: 'Voltage', current: 'Current', temperature: 'Temperature', irradiance: 'Irradiance' };

function canvasOf(width: number, height: number): { canvas: HTMLCanvasElement; ctx: CanvasRenderingContext2D } {
  const ratio = window.devicePixelRatio || 1;
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  return { canvas, ctx };
}

/** Draws the scalograms of `s` into host (emptied first); `time` formats an instant as the plant's HH:MM. */
export function drawScalograms(host: HTMLElement, s: Scalogram, time: (iso: string) => string): void {
  const p = planesOf(s);
  const width = LEFT + p.times * CELL + RIGHT;
  const height = TOP + p.scales * CELL + BOTTOM;
  const images = document.createElement('div');
  images.className = 'scalograms';
  p.channels.forEach((channel, c) => {
    const f = document.createElement('figure');
    const { canvas, ctx } = canvasOf(width, height);
    // the picture's text alternative: a screen reader hears what the image shows
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', `Scalogram of ${describePlane(p, c, s, time)}`);
    canvas.dataset.channel = channel;
    const cells = document.createElement('canvas');
    cells.width = p.times;
    cells.height = p.scales;
    cells.getContext('2d')!.putImageData(new ImageData(planePixels(p.planes[c]!, p.limit), p.times, p.scales), 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(cells, LEFT, TOP, p.times * CELL, p.scales * CELL);
    ctx.strokeStyle = INK;
    ctx.strokeRect(LEFT - 0.5, TOP - 0.5, p.times * CELL + 1, p.scales * CELL + 1);
    ctx.fillStyle = INK;
    ctx.font = '11px system-ui, sans-serif';
    // scale axis: the tensor's rows, scale 1 (the fastest changes) at the top
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const scale of [1, 16, 32, 48, 64].filter((x) => x <= p.scales)) {
      const y = TOP + (scale - 0.5) * CELL;
      ctx.fillText(String(scale), LEFT - 4, y);
    }
    ctx.save();
    ctx.translate(10, TOP + (p.scales * CELL) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = 'center';
    ctx.fillText('scale', 0, 0);
    ctx.restore();
    // time axis: the window's start, middle and end, plant-local
    ctx.textBaseline = 'top';
    const start = Date.parse(s.window.start);
    for (const [k, align] of [
      [0, 'left'],
      [p.times / 2, 'center'],
      [p.times, 'right'],
    ] as const) {
      ctx.textAlign = align;
      ctx.fillText(time(new Date(start + k * s.stepSeconds * 1000).toISOString()), LEFT + k * CELL, TOP + p.scales * CELL + 4);
    }
    ctx.textAlign = 'center';
    ctx.fillText('time', LEFT + (p.times * CELL) / 2, TOP + p.scales * CELL + 17);
    const caption = document.createElement('figcaption');
    caption.textContent = TITLES[channel] ?? channel;
    f.append(caption, canvas);
    images.append(f);
  });

  // the colour scale: −limit … 0 … +limit, shared by the four images
  const legend = document.createElement('figure');
  legend.className = 'colour-scale';
  const { canvas: bar, ctx } = canvasOf(220, 14);
  for (let x = 0; x < 220; x++) {
    const [r, g, b] = colourOf(((x + 0.5) / 220) * 2 * p.limit - p.limit, p.limit);
    ctx.fillStyle = `rgb(${r},${g},${b})`;
    ctx.fillRect(x, 0, 1, 14);
  }
  ctx.strokeStyle = INK;
  ctx.strokeRect(0.5, 0.5, 219, 13);
  bar.setAttribute('role', 'img');
  bar.setAttribute('aria-label', `Colour scale: blue ${(-p.limit).toFixed(2)} (negative coefficients), white 0, red +${p.limit.toFixed(2)}`);
  const ticks = document.createElement('div');
  ticks.className = 'colour-ticks';
  ticks.append(...[(-p.limit).toFixed(2), '0', `+${p.limit.toFixed(2)}`].map((t) => Object.assign(document.createElement('span'), { textContent: t })));
  const caption = document.createElement('figcaption');
  caption.textContent = 'Colour scale: asinh(coefficient / channel scale), as the model reads it';
  legend.append(caption, bar, ticks);

  const note = document.createElement('p');
  note.className = 'explain';
  const step = s.stepSeconds;
  note.textContent = `Window ${s.window.index}, ${time(s.window.start)}–${time(s.window.end)}; model ${s.modelVersion}; ${s.baselineGain === null ? 'judged against the fleet (no history yet)' : `irradiance multiplied by the array's baseline gain ${s.baselineGain.toFixed(3)}`}. Scale 1 reads changes over about ${Math.round(periodSeconds(1, step))} s, scale ${p.scales} over about ${Math.round(periodSeconds(p.scales, step) / 60)} min.`;
  host.replaceChildren(note, images, legend);
}
