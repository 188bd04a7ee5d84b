/** The fast asinh of the scalogram normalisation is Math.asinh, to float64 rounding, over every range it can meet. */
import { asinhScaled } from '../../detector/asinh';

function reference(src: Float32Array, factor: number): Float64Array {
  return Float64Array.from(src, (x) => Math.asinh(x * factor));
}

function expectClose(got: Float64Array, want: Float64Array): void {
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    if (!Number.isFinite(w)) {
      expect(got[i]).toBe(w);
      continue;
    }
    // relative 1e-14 (float32, the output, keeps 6e-8), and the exact sign (−0 included)
    expect(Math.abs(got[i]! - w)).toBeLessThanOrEqual(1e-14 * Math.abs(w));
    expect(Object.is(Math.sign(got[i]!), Math.sign(w))).toBe(true);
  }
}

it('agrees with Math.asinh across magnitudes from 1e-38 to 3e38, both signs', () => {
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const src = Float32Array.from({ length: 20_000 }, () => (rand() < 0.5 ? -1 : 1) * Math.exp((rand() - 0.5) * 170));
  for (const factor of [1, 0.37, 3.1e-3, -2.5]) {
    const out = new Float64Array(src.length);
    asinhScaled(src, 0, src.length, factor, out);
    expectClose(out, reference(src, factor));
  }
});

it('handles zero, −0, subnormals, the bucket edges, NaN and ±Infinity', () => {
  const edges = [0, -0, 1e-45, -1e-45, 2 ** -12, 2 ** -12 * 0.999, 1, -1, 0.75, 1.5, 2, 1e150, 3.4e38, NaN, Infinity, -Infinity];
  // values whose a + √(a²+1) sits right at a log bucket's edge and centre
  for (let k = 0; k < 256; k += 17) for (const c of [k / 256, (k + 0.5) / 256]) {
    const y = 1 + c;
    edges.push(Math.fround((y - 1 / y) / 2));
  }
  const src = Float32Array.from(edges);
  const out = new Float64Array(src.length);
  asinhScaled(src, 0, src.length, 1, out);
  expectClose(out, reference(src, 1));
});

it('reads the source from an offset and writes the output with a stride', () => {
  const src = Float32Array.from({ length: 300 }, (_, i) => Math.sin(i) * i);
  const out = new Float32Array(1000).fill(7);
  asinhScaled(src, 100, 64, 0.5, out, 3, 4);
  for (let i = 0; i < 64; i++) expect(out[3 + i * 4]).toBe(Math.fround(Math.asinh(src[100 + i]! * 0.5)));
  // nothing else written
  expect(out.filter((v) => v !== 7)).toHaveLength(64);
  // a second source of the same length after the first: its own signs are read
  const other = src.map((v) => -v);
  asinhScaled(other, 100, 64, 0.5, out, 3, 4);
  for (let i = 0; i < 64; i++) expect(out[3 + i * 4]).toBe(Math.fround(Math.asinh(-src[100 + i]! * 0.5)));
});
