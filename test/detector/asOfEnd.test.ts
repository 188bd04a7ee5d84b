/**
 * A window as a stream scores it the moment it ends (detector/windows.ts asOfEndInputs): it
 * reads nothing after its end, and the batch's window (modelInputs) is another image.
 * Python's pywt side is held to the same fixture (test/fixtures/windows, test_windows.py).
 */
import { asOfEndInputs, CHANNELS, EDGE_MODES, WINDOW, WINDOW_VALUES, type Normalization } from '../../detector/windows';

const NORM: Normalization = { scale: { voltage: 1, current: 1, temperature: 1, irradiance: 1 }, levels: { center: Array(8).fill(0), spread: Array(8).fill(1) } };
const series = (change: number) =>
  CHANNELS.map((_, c) => Float64Array.from({ length: 32 * WINDOW }, (_, k) => 3 + Math.sin(k / (37 + c)) + (k >= 20 * WINDOW ? change : 0)));

describe('windows scored as of their end', () => {
  it.each(EDGE_MODES)('read nothing after the window (%s)', (edge) => {
    const [now, later] = [series(0), series(50)];
    const a = asOfEndInputs([19], NORM, now, edge);
    expect(asOfEndInputs([19], NORM, later, edge)).toEqual(a);
    // the next window does see the change
    const b = asOfEndInputs([20], NORM, now, edge).images;
    const c = asOfEndInputs([20], NORM, later, edge).images;
    expect(Math.max(...b.map((v, i) => Math.abs(v - c[i]!)))).toBeGreaterThan(0.1);
    expect(a.images).toHaveLength(WINDOW_VALUES);
  });

  it('stand in for the samples after the window differently by edge mode, and refuse a window past the day', () => {
    const x = series(0);
    const [zero, hold, reflect] = EDGE_MODES.map((m) => asOfEndInputs([10], NORM, x, m).images);
    expect(zero).not.toEqual(hold);
    expect(hold).not.toEqual(reflect);
    expect(() => asOfEndInputs([32], NORM, x, 'reflect')).toThrow("window 32 ends after the day's 2048 samples");
  });
});
