/** Silver row → windows: gap fill, skip reasons, tensor layout and normalisation (contracts/detector.json). */
import { QUALITY, type SilverDeviceDayRow } from '../../contracts';
import { cwt } from '../../detector/cwt';
import { CHANNELS, dayScalograms, gapFilled, N_SCALES, WINDOW, WINDOW_VALUES, windowsOf, windowTensor } from '../../detector/windows';

function row(samples: number, fill: (s: number) => [number, number, number, number] | null): SilverDeviceDayRow {
  const series = CHANNELS.map(() => new Float32Array(samples));
  const quality = new Int32Array(samples);
  for (let s = 0; s < samples; s++) {
    const v = fill(s);
    quality[s] = v ? QUALITY.observed : QUALITY.missing;
    CHANNELS.forEach((_, c) => (series[c]![s] = v ? v[c]! : Number.NaN));
  }
  return { deviceId: 'PV-1', startMs: 0, stepMs: 20_000, samples, voltage: series[0]!, current: series[1]!, temperature: series[2]!, irradiance: series[3]!, quality, received: 0, quarantined: 0, duplicates: 0, observed: 0, filled: 0, missing: 0 };
}

describe('gap fill before the CWT', () => {
  it('interpolates inside, holds the nearest value at the edges, zeros when nothing is known', () => {
    expect(Array.from(gapFilled([NaN, 2, NaN, NaN, 8, NaN]))).toEqual([2, 2, 4, 6, 8, 8]);
    expect(Array.from(gapFilled([NaN, NaN]))).toEqual([0, 0]);
    expect(Array.from(gapFilled([1, 2]))).toEqual([1, 2]);
  });
});

describe('windows of a day', () => {
  it('cuts 67 windows of 64 slots from a 4320-slot day, dropping the partial tail', () => {
    const r = row(4320, () => [200, 10, 30, 500]);
    const w = windowsOf(r);
    expect(w).toHaveLength(67);
    expect(w[1]).toMatchObject({ index: 1, startMs: 64 * 20_000, endMs: 128 * 20_000, skipReason: null });
  });

  it('skips with a reason: missing data first, then low irradiance', () => {
    const r = row(256, (s) => (s < 64 ? (s < 17 ? null : [200, 10, 30, 500]) : s < 128 ? [0, 0, 10, 20] : s < 192 ? (s < 150 ? null : [0, 0, 10, 5]) : [200, 10, 30, 99]));
    expect(windowsOf(r).map((w) => w.skipReason)).toEqual(['missing_data', 'low_irradiance', 'missing_data', 'low_irradiance']);
    const ok = row(64, (s) => (s < 16 ? null : [200, 10, 30, 100]));
    expect(windowsOf(ok)[0]!.skipReason).toBeNull(); // exactly 25 % missing, exactly 100 W/m²
  });

  it('stacks the four channels NHWC (scale, time, channel) with asinh(coef / scale)', () => {
    const r = row(256, (s) => [200 + Math.sin(s / 3), 10 + Math.cos(s / 5), 30 + s / 100, 500 + 40 * Math.sin(s / 7)]);
    const scalograms = dayScalograms(r);
    const norm = { voltage: 2, current: 0.5, temperature: 0.1, irradiance: 10 };
    const x = new Float32Array(WINDOW_VALUES * 2);
    windowTensor(scalograms, r.samples, 2, norm, x, WINDOW_VALUES);
    const coefs = cwt(Float64Array.from(r.current));
    const [h, w, c] = [10, 5, 1];
    expect(x[WINDOW_VALUES + (h * WINDOW + w) * CHANNELS.length + c]).toBeCloseTo(Math.asinh(coefs[h * 256 + 2 * WINDOW + w]! / 0.5), 5);
    expect(x.subarray(0, WINDOW_VALUES).every((v) => v === 0)).toBe(true);
    expect(N_SCALES).toBe(64);
  });
});
