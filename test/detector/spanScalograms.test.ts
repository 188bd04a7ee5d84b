/**
 * The predict job transforms only the span of a day its usable windows read
 * (spanScalograms), widened by the CWT's reach: the windows must be the whole-day
 * windows within the contract's tolerance — against pywt's own coefficients, the
 * shared window fixtures, and simulated days.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SilverDeviceDayRow } from '../../contracts';
import { cwt, cwtReach } from '../../detector/cwt';
import { silverOf } from '../../detector/dataset';
import { plantConfig, simulatePlantDay } from '../../detector/simulator/plant';
import { dayScalograms, spanScalograms, WINDOW, WINDOW_VALUES, windowsOf, windowTensor } from '../../detector/windows';
import { readFixture } from '../helpers/fixtures';

const decode = (b64: string, type: 'f64' | 'f32') => {
  const copy = new Uint8Array(Buffer.from(b64, 'base64')).buffer;
  return type === 'f64' ? new Float64Array(copy) : new Float32Array(copy);
};
const NORM = { voltage: 1.7, current: 0.21, temperature: 0.06, irradiance: 4.2 };

describe('cwtReach', () => {
  const { before, after } = cwtReach();
  const cases = readFixture<{ cases: { name: string; n: number; input: string; scales: number[]; coefs: string; maxAbs: number }[] }>('cwt/cwt-fixtures.json').cases;

  it('is the widest kernel around a sample (scale 64: 513 before, 512 after)', () => {
    expect({ before, after }).toEqual({ before: 513, after: 512 });
  });

  it.each(cases.filter((c) => c.n > 2 * (before + after)).map((c) => [c.name, c] as const))('a span of %s gives pywt coefficients inside it to 1e-6', (_name, c) => {
    const x = decode(c.input, 'f64');
    const theirs = decode(c.coefs, 'f32');
    // a stretch in the middle, then one touching each edge of the signal
    for (const [a, b] of [
      [before + 7, c.n - after - 11],
      [0, 40],
      [c.n - 40, c.n],
    ] as const) {
      const from = Math.max(0, a - before);
      const to = Math.min(c.n, b + after);
      const ours = cwt(x.subarray(from, to));
      let worst = 0;
      c.scales.forEach((scale, row) => {
        for (let t = a; t < b; t++) worst = Math.max(worst, Math.abs(ours[(scale - 1) * (to - from) + t - from]! - theirs[row * c.n + t]!));
      });
      expect(worst / c.maxAbs).toBeLessThan(1e-6);
    }
  });
});

function tensors(row: SilverDeviceDayRow, indices: number[], span: number[]) {
  const whole = dayScalograms(row);
  const s = spanScalograms(row, span);
  const a = new Float32Array(indices.length * WINDOW_VALUES);
  const b = new Float32Array(indices.length * WINDOW_VALUES);
  indices.forEach((index, k) => {
    windowTensor(whole, row.samples, index, NORM, a, k * WINDOW_VALUES);
    windowTensor(s.coefs, s.length, index, NORM, b, k * WINDOW_VALUES, s.from);
  });
  let worst = 0;
  let differing = 0;
  let beyondRounding = 0;
  a.forEach((v, i) => {
    const d = Math.abs(v - b[i]!);
    worst = Math.max(worst, d);
    if (v !== b[i]) differing++;
    // more than one float32 step at the windows' unit scale (channels are normalised to ~1): near-zero values
    // (a stuck, constant channel) flip their last bits on ~1e-9 differences, which says nothing about the span
    if (d > 2 ** (Math.floor(Math.log2(Math.max(1, Math.abs(v)))) - 23)) beyondRounding++;
  });
  return { worst, differing, beyondRounding, values: a.length };
}

describe('spanScalograms', () => {
  it('gives the shared window fixtures (test/fixtures/windows) to 1e-6', () => {
    const f = JSON.parse(readFileSync(join(__dirname, '../fixtures/windows/windows-cases.json'), 'utf8')) as {
      silver: Record<string, unknown> & { quality: number[]; samples: number };
      windows: { index: number; skipReason: string | null }[];
      tensorIndices: number[];
      tensors: string;
      scale: typeof NORM;
    };
    const col = (k: string) => Float32Array.from(f.silver[k] as (number | null)[], (v) => (v === null ? Number.NaN : v));
    const row = { ...f.silver, voltage: col('voltage'), current: col('current'), temperature: col('temperature'), irradiance: col('irradiance'), quality: Int32Array.from(f.silver.quality) } as unknown as SilverDeviceDayRow;
    const usable = f.windows.filter((w) => !w.skipReason).map((w) => w.index);
    const committed = decode(f.tensors, 'f32');
    for (const span of [usable, f.tensorIndices]) {
      const s = spanScalograms(row, span);
      expect(s.length).toBeLessThan(row.samples);
      const x = new Float32Array(f.tensorIndices.length * WINDOW_VALUES);
      f.tensorIndices.forEach((index, k) => windowTensor(s.coefs, s.length, index, f.scale, x, k * WINDOW_VALUES, s.from));
      x.forEach((v, i) => expect(Math.abs(v - committed[i]!)).toBeLessThan(1e-6));
    }
  });

  it('gives the whole-day windows of simulated days to 1e-6 (winter and summer, every fault)', () => {
    for (const date of ['2026-11-19', '2026-06-21']) {
      const plant = simulatePlantDay(plantConfig({ date, devices: 6, seed: 5, faultMix: { normal: 1, line_line: 1, line_ground: 1, open_circuit: 1, partial_shading: 1, arc_fault: 1 } }));
      for (const day of plant.devices()) {
        const row = silverOf(day, plant.window);
        const usable = windowsOf(row).filter((w) => !w.skipReason).map((w) => w.index);
        if (usable.length === 0) continue;
        const r = tensors(row, usable, usable);
        expect(r.worst).toBeLessThan(1e-6);
        // the few values that differ beyond float32 rounding are off by it, from ~1e-12 differences
        expect(r.beyondRounding / r.values).toBeLessThan(1e-3);
      }
    }
  }, 120_000);

  it('holds a span of no windows as nothing, and a day-long span as all the windows\' samples', () => {
    const plant = simulatePlantDay(plantConfig({ date: '2026-06-21', devices: 1, seed: 3, faultMix: { normal: 1 } }));
    const row = silverOf([...plant.devices()][0]!, plant.window);
    expect(spanScalograms(row, []).length).toBe(0);
    const all = Array.from({ length: Math.floor(row.samples / WINDOW) }, (_, i) => i);
    const s = spanScalograms(row, all);
    expect([s.from, s.length]).toEqual([0, all.length * WINDOW]);
    expect(tensors(row, [0, all.length - 1], all).differing).toBe(0);
  });
});
