/**
 * Small, dependency-free SVG charts (GitHub renders them inline in Markdown):
 * stacked time-series panels sharing one time axis, with shaded intervals.
 */
export interface Series {
  label: string;
  color: string;
  /** x values (e.g. hours) and y values, same length; NaN breaks the line */
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  width?: number;
  dashed?: boolean;
}

export interface Panel {
  title: string;
  unit: string;
  series: Series[];
}

export interface StackedChart {
  title: string;
  subtitle?: string;
  xLabel: string;
  xRange: [number, number];
  xTicks: number[];
  panels: Panel[];
  /** x intervals drawn as a pale band across all panels (e.g. when a fault acts) */
  bands?: { from: number; to: number; label?: string }[];
  bandColor?: string;
  width?: number;
  panelHeight?: number;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceTicks(min: number, max: number, count = 4): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + 1e-9; t += step) ticks.push(Number(t.toPrecision(10)));
  return ticks;
}

/**
 * The series as an SVG path, decimated to one pixel column at a time: the first,
 * lowest, highest and last point of each column, so spikes survive and files stay small.
 */
function pathOf(s: Series, sx: (x: number) => number, sy: (y: number) => number, lo: number, hi: number, range: [number, number]): string {
  let d = '';
  let pen = false;
  let column = NaN;
  let bucket: [number, number][] = [];
  const flush = (): void => {
    if (bucket.length === 0) return;
    const first = bucket[0]!;
    const last = bucket[bucket.length - 1]!;
    let min = first;
    let max = first;
    for (const p of bucket) {
      if (p[1] < min[1]) min = p;
      if (p[1] > max[1]) max = p;
    }
    const pts = [first, min, max, last].filter((p, i, all) => all.indexOf(p) === i);
    for (const [x, y] of pts) {
      d += `${pen ? 'L' : 'M'}${x.toFixed(1)} ${y.toFixed(1)}`;
      pen = true;
    }
    bucket = [];
  };
  for (let k = 0; k < s.x.length; k++) {
    const x = s.x[k]!;
    const y = s.y[k]!;
    if (!Number.isFinite(y) || x < range[0] || x > range[1]) {
      flush();
      pen = false;
      continue;
    }
    const px = sx(x);
    if (Math.floor(px) !== column) {
      flush();
      column = Math.floor(px);
    }
    bucket.push([px, sy(Math.min(hi, Math.max(lo, y)))]);
  }
  flush();
  return d;
}

export function stackedChartSvg(c: StackedChart): string {
  const width = c.width ?? 900;
  const ph = c.panelHeight ?? 120;
  const left = 70;
  const right = 150;
  const top = c.subtitle ? 52 : 36;
  const gap = 22;
  const height = top + c.panels.length * (ph + gap) + 30;
  const plotW = width - left - right;
  const sx = (x: number): number => left + ((x - c.xRange[0]) / (c.xRange[1] - c.xRange[0])) * plotW;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`);
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(`<text x="${left}" y="20" font-size="14" font-weight="bold">${esc(c.title)}</text>`);
  if (c.subtitle) out.push(`<text x="${left}" y="38" fill="#555">${esc(c.subtitle)}</text>`);

  c.panels.forEach((panel, p) => {
    const y0 = top + p * (ph + gap);
    // robust range: a few garbage readings (error codes, spikes) must not flatten the rest
    const values: number[] = [];
    for (const s of panel.series) for (let k = 0; k < s.y.length; k++) if (Number.isFinite(s.y[k]!)) values.push(s.y[k]!);
    values.sort((a, b) => a - b);
    let lo = values.length ? values[Math.floor(values.length * 0.001)]! : 0;
    let hi = values.length ? values[Math.ceil(values.length * 0.999) - 1]! : 1;
    if (hi === lo) hi = lo + 1;
    const pad = (hi - lo) * 0.05;
    lo -= pad;
    hi += pad;
    const sy = (y: number): number => y0 + ph - ((y - lo) / (hi - lo)) * ph;
    for (const b of c.bands ?? []) {
      const x1 = sx(Math.max(b.from, c.xRange[0]));
      const x2 = sx(Math.min(b.to, c.xRange[1]));
      if (x2 > x1) out.push(`<rect x="${x1.toFixed(1)}" y="${y0}" width="${(x2 - x1).toFixed(1)}" height="${ph}" fill="${c.bandColor ?? '#fde2e1'}"/>`);
    }
    out.push(`<rect x="${left}" y="${y0}" width="${plotW}" height="${ph}" fill="none" stroke="#bbb"/>`);
    for (const t of niceTicks(lo, hi)) {
      out.push(`<line x1="${left}" x2="${left + plotW}" y1="${sy(t).toFixed(1)}" y2="${sy(t).toFixed(1)}" stroke="#eee"/>`);
      out.push(`<text x="${left - 6}" y="${(sy(t) + 4).toFixed(1)}" text-anchor="end" fill="#444">${t}</text>`);
    }
    out.push(`<text x="14" y="${y0 + ph / 2}" transform="rotate(-90 14 ${y0 + ph / 2})" text-anchor="middle">${esc(panel.title)} (${esc(panel.unit)})</text>`);
    for (const s of panel.series) out.push(`<path d="${pathOf(s, sx, sy, lo, hi, c.xRange)}" fill="none" stroke="${s.color}" stroke-width="${s.width ?? 1}"${s.dashed ? ' stroke-dasharray="4 3"' : ''}/>`);
    panel.series.forEach((s, i) => {
      const ly = y0 + 12 + i * 16;
      out.push(`<line x1="${left + plotW + 12}" x2="${left + plotW + 30}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="4 3"' : ''}/>`);
      out.push(`<text x="${left + plotW + 34}" y="${ly}">${esc(s.label)}</text>`);
    });
  });
  const axisY = top + c.panels.length * (ph + gap) - gap + 14;
  for (const t of c.xTicks) out.push(`<text x="${sx(t).toFixed(1)}" y="${axisY}" text-anchor="middle" fill="#444">${t}</text>`);
  out.push(`<text x="${left + plotW / 2}" y="${axisY + 14}" text-anchor="middle">${esc(c.xLabel)}</text>`);
  if (c.bands?.length) {
    const ly = top + 12 + (c.panels[0]?.series.length ?? 0) * 16 + 8;
    out.push(`<rect x="${left + plotW + 12}" y="${ly - 9}" width="18" height="10" fill="${c.bandColor ?? '#fde2e1'}"/>`);
    out.push(`<text x="${left + plotW + 34}" y="${ly}">${esc(c.bands[0]?.label ?? 'active')}</text>`);
  }
  out.push('</svg>');
  return out.join('\n');
}
