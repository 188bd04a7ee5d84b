/** The TypeScript CWT against PyWavelets' own output (fixtures written by pywt). */
import { CONTRACT_SCALES, cwt, scaleKernel } from '../../detector/cwt';
import { readFixture } from '../helpers/fixtures';
import { expectSameValues } from '../helpers/tolerance';

interface CwtCase {
  name: string;
  n: number;
  input: string;
  scales: number[];
  coefs: string;
  maxAbs: number;
}
const fixtures = readFixture<{ pywtVersion: string; cases: CwtCase[] }>('cwt/cwt-fixtures.json');

function decode(b64: string, type: 'f64' | 'f32'): Float64Array | Float32Array {
  const buf = Buffer.from(b64, 'base64');
  const copy = new Uint8Array(buf).buffer; // aligned copy
  return type === 'f64' ? new Float64Array(copy) : new Float32Array(copy);
}

describe('CWT = pywt.cwt(x, np.arange(1, 65), "morl")', () => {
  it.each(fixtures.cases.map((c) => [c.name, c] as const))('%s agrees to 1e-6 of the scalogram maximum', (_name, c) => {
    const x = decode(c.input, 'f64');
    expect(x.length).toBe(c.n);
    const ours = cwt(x);
    const theirs = decode(c.coefs, 'f32');
    let worst = 0;
    let ourMax = 0;
    for (let k = 0; k < ours.length; k++) ourMax = Math.max(ourMax, Math.abs(ours[k]!));
    c.scales.forEach((scale, row) => {
      for (let t = 0; t < c.n; t++) {
        const diff = Math.abs(ours[(scale - 1) * c.n + t]! - theirs[row * c.n + t]!);
        worst = Math.max(worst, diff);
      }
    });
    // the fixture stores float32 (relative rounding 6e-8): far inside the 1e-6 budget
    expect(worst / c.maxAbs).toBeLessThan(1e-6);
    expect(Math.abs(ourMax - c.maxAbs) / c.maxAbs).toBeLessThan(1e-6);
  });

  it('uses pywt kernel lengths (16·s + 1 points of the integrated wavelet)', () => {
    expect(scaleKernel(1)).toHaveLength(17);
    expect(scaleKernel(64)).toHaveLength(1025);
  });

  it('is linear and keeps the contract scale order', () => {
    const a = Float64Array.from({ length: 256 }, (_, i) => Math.sin(i / 5));
    const b = Float64Array.from({ length: 256 }, (_, i) => (i % 17) - 8);
    const sum = cwt(a.map((v, i) => 2 * v + b[i]!));
    const ca = cwt(a);
    const cb = cwt(b);
    for (let k = 0; k < sum.length; k += 97) expect(sum[k]).toBeCloseTo(2 * ca[k]! + cb[k]!, 9);
    expect(CONTRACT_SCALES).toEqual(Array.from({ length: 64 }, (_, i) => i + 1));
  });

  it('refuses gaps: missing samples must be filled first', () => {
    expect(() => cwt([1, 2, Number.NaN, 4])).toThrow('cwt: sample 2 is NaN; fill gaps before the transform');
  });

  it('gives a signal the same coefficients whatever ran before it on the same FFT length', () => {
    // 2,500 and 2,600 samples both transform on 3,125 points: the longer one leaves its samples in the shared work buffer
    const signal = (n: number, f: number) => Float64Array.from({ length: n }, (_, i) => Math.sin(i / f) + (i % 7));
    const first = cwt(signal(2500, 9));
    cwt(signal(2600, 4));
    expectSameValues(cwt(signal(2500, 9)), first, 'after a longer signal');
  });

  it('keeps a range of samples: the same coefficients as the whole output there', () => {
    const x = Float64Array.from({ length: 700 }, (_, i) => Math.cos(i / 11) * 3 + (i % 5));
    const whole = cwt(x);
    const part = cwt(x, CONTRACT_SCALES, undefined, { from: 130, to: 321 });
    expect(part).toHaveLength(64 * 191);
    const expected = new Float64Array(64 * 191);
    for (let s = 0; s < 64; s++) expected.set(whole.subarray(s * 700 + 130, s * 700 + 321), s * 191);
    expectSameValues(part, expected, 'kept samples');
    expect(() => cwt(x, CONTRACT_SCALES, undefined, { from: 10, to: 701 })).toThrow("cwt: samples [10, 701) to keep are not within the signal's 700");
    expect(() => cwt(x, CONTRACT_SCALES, undefined, { from: 20, to: 10 })).toThrow('cwt: samples [20, 10)');
  });

  it('writes into a caller-provided buffer of the right size only', () => {
    const out = new Float32Array(64 * 100);
    expect(cwt(new Float64Array(100).fill(1), CONTRACT_SCALES, out)).toBe(out);
    expect(() => cwt(new Float64Array(100), CONTRACT_SCALES, new Float32Array(10))).toThrow('cwt: output holds 10 values, needs 6400');
  });
});
