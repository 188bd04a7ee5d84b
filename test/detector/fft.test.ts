/** The mixed-radix FFT against a direct DFT, on every radix and their mixes. */
import { fastLength, MixedRadixFFT, transformCost } from '../../detector/fft';

function dft(x: Float64Array): Float64Array {
  const n = x.length / 2;
  const out = new Float64Array(2 * n);
  for (let k = 0; k < n; k++) {
    let re = 0;
    let im = 0;
    for (let j = 0; j < n; j++) {
      const a = (-2 * Math.PI * j * k) / n;
      re += x[2 * j]! * Math.cos(a) - x[2 * j + 1]! * Math.sin(a);
      im += x[2 * j]! * Math.sin(a) + x[2 * j + 1]! * Math.cos(a);
    }
    out[2 * k] = re;
    out[2 * k + 1] = im;
  }
  return out;
}

describe('MixedRadixFFT', () => {
  it.each([1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 16, 20, 25, 40, 45, 64, 100, 125, 160, 250, 400])('equals the DFT for length %i', (n) => {
    const x = Float64Array.from({ length: 2 * n }, (_, i) => Math.sin(i * 1.7) + (i % 3) - 1);
    const out = new Float64Array(2 * n);
    new MixedRadixFFT(n).transform(out, x);
    const ref = dft(x);
    const scale = ref.reduce((m, v) => Math.max(m, Math.abs(v)), 1);
    for (let i = 0; i < 2 * n; i++) expect(Math.abs(out[i]! - ref[i]!) / scale).toBeLessThan(1e-12);
  });

  it('leaves its input untouched and refuses other prime factors', () => {
    const x = Float64Array.from({ length: 40 }, (_, i) => i);
    const copy = Float64Array.from(x);
    new MixedRadixFFT(20).transform(new Float64Array(40), x);
    expect(Array.from(x)).toEqual(Array.from(copy));
    expect(() => new MixedRadixFFT(14)).toThrow('FFT length 14 has a prime factor other than 2, 3 and 5');
  });

  it('picks the length at or above n with the cheapest transform (not always the smallest)', () => {
    expect(fastLength(3072)).toBe(3072); // 4⁵·3, not 3,125 = 5⁵
    expect(fastLength(3073)).toBe(3125); // 5⁵: 3,200 = 4³·2·5² is within the model's 3 %, and longer
    expect(fastLength(3900)).toBe(4096); // a June day's span: 4⁶, not 4,000 = 4²·2·5³
    expect(fastLength(3300)).toBe(3840); // 4⁴·3·5: within 3 % of 4,096, and shorter
    expect(fastLength(4833)).toBe(5120); // a whole day: 4⁵·5
    expect(fastLength(7)).toBe(8);
    expect(fastLength(1)).toBe(1);
    for (const n of [17, 999, 2500, 3100, 4097, 6001]) {
      const m = fastLength(n);
      expect(m).toBeGreaterThanOrEqual(n);
      // within 3 % of the cheapest, and the shortest that is
      let cheapest = Infinity;
      for (let k = n; k <= 2 * n; k++) cheapest = Math.min(cheapest, transformCost(k));
      expect(transformCost(m)).toBeLessThanOrEqual(1.03 * cheapest);
      for (let k = n; k < m; k++) expect(transformCost(k)).toBeGreaterThan(1.03 * cheapest);
    }
    expect(transformCost(14)).toBe(Infinity);
    expect(transformCost(4096)).toBeCloseTo(4096 * 6 * 2.4, 6);
  });
});
