/** Silver row → windows: gap fill, skip reasons, tensor layout and normalisation (contracts/detector.json). */
import { QUALITY, type SilverDeviceDayRow } from '../../contracts';
import { cwt } from '../../detector/cwt';
import { CHANNELS, dayScalograms, filledChannels, gapFilled, InputBuffers, LEVEL_FEATURES, modelInputs, N_LEVELS, N_SCALES, WINDOW, WINDOW_VALUES, windowLevels, windowsOf, windowTensor, type ModelInputs } from '../../detector/windows';
import { expectSameValues } from '../helpers/tolerance';

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

describe('level features beside the scalograms', () => {
  const unit = { center: new Array<number>(N_LEVELS).fill(0), spread: new Array<number>(N_LEVELS).fill(1) };

  it('are each channel\'s window mean and population std, asinh-compressed, in contract order', () => {
    expect(LEVEL_FEATURES).toEqual(['voltage.mean', 'voltage.std', 'current.mean', 'current.std', 'temperature.mean', 'temperature.std', 'irradiance.mean', 'irradiance.std']);
    // window 1 of the current: 8, 12, 8, 12, … → mean 10, std 2; the other channels constant
    const r = row(128, (s) => [200, s >= 64 ? (s % 2 ? 12 : 8) : 0, -5, 700]);
    const out = new Float32Array(N_LEVELS);
    windowLevels(filledChannels(r), 1, unit, out);
    expect(Array.from(out)).toEqual(Array.from(Float32Array.from([Math.asinh(200), 0, Math.asinh(10), Math.asinh(2), Math.asinh(-5), 0, Math.asinh(700), 0])));
  });

  it('are standardised by the model\'s center and spread, and read the gap-filled series', () => {
    const r = row(64, (s) => (s === 10 ? null : [100, 4, 20, 300]));
    const norm = { center: [1, 0, 2, 0, 3, 0, 4, 0], spread: [2, 1, 2, 1, 2, 1, 2, 1] };
    const out = new Float32Array(N_LEVELS);
    windowLevels(filledChannels(r), 0, norm, out);
    expect(out[0]).toBeCloseTo((Math.asinh(100) - 1) / 2, 6);
    expect(out[1]).toBe(0); // the gap is filled with its neighbours: no spread
    expect(out[6]).toBeCloseTo((Math.asinh(300) - 4) / 2, 6);
  });

  it('come with the images from modelInputs, window by window in the order asked', () => {
    const r = row(256, (s) => [200 + s, 10, 30, 500]);
    const scale = { voltage: 2, current: 0.5, temperature: 0.1, irradiance: 10 };
    const inputs = modelInputs(r, [3, 1], { scale, levels: unit });
    expect(inputs.images).toHaveLength(2 * WINDOW_VALUES);
    expect(inputs.levels).toHaveLength(2 * N_LEVELS);
    const mean = (i: number) => 200 + i * WINDOW + (WINDOW - 1) / 2;
    expect(inputs.levels[0]).toBeCloseTo(Math.asinh(mean(3)), 5);
    expect(inputs.levels[N_LEVELS]).toBeCloseTo(Math.asinh(mean(1)), 5);
    const x = new Float32Array(WINDOW_VALUES);
    windowTensor(dayScalograms(r), r.samples, 1, scale, x);
    // modelInputs transforms only the windows' span: the same values but for FFT rounding
    inputs.images.subarray(WINDOW_VALUES).forEach((v, i) => expect(Math.abs(v - x[i]!)).toBeLessThan(1e-6));
    expect(modelInputs(r, [], { scale, levels: unit }).images).toHaveLength(0);
  });

  it('are the same in reused buffers, day after day, a shorter day after a longer one', () => {
    const norm = { scale: { voltage: 2, current: 0.5, temperature: 0.1, irradiance: 10 }, levels: unit };
    const long = row(1024, (s) => [200 + (s % 13), 10 + Math.sin(s / 7), 30, 500 + s]);
    const short = row(512, (s) => [180 - (s % 5), 9, 28 + s / 100, 400]);
    const buffers = new InputBuffers();
    const same = (a: ModelInputs, b: ModelInputs, label: string) => {
      expectSameValues(a.images, b.images, `${label} images`);
      expectSameValues(a.levels, b.levels, `${label} levels`);
    };
    same(modelInputs(long, [2, 5, 9], norm, buffers), modelInputs(long, [2, 5, 9], norm), 'first day');
    const fromShort = modelInputs(short, [1, 3], norm, buffers);
    expect(fromShort.images).toHaveLength(2 * WINDOW_VALUES);
    same(fromShort, modelInputs(short, [1, 3], norm), 'shorter day');
  });
});
