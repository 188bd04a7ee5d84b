/**
 * A complex FFT for any length whose factors are 2, 3, 4 and 5: a self-sorting
 * (Stockham) decimation-in-frequency transform on interleaved Float64Arrays, with
 * twiddles precomputed per stage. The CWT needs lengths just above the signal plus
 * half the longest kernel (4,833 for a 4,320-slot day): 5,120 = 5·4⁵ does ~40 % less
 * work than the next power of two, 8,192.
 */

/**
 * What a pass of each radix costs per point, in ns, on this project's reference
 * machine (2-core AMD EPYC VM, Node 20; transforms of 3,072 to 5,000 points timed
 * one length at a time): radix 4 is cheapest per bit of length, radix 2 dearest.
 */
const PASS_COST: Readonly<Record<number, number>> = { 2: 2.8, 3: 2.7, 4: 2.4, 5: 3.5 };

/** The passes MixedRadixFFT makes for a length: 4s first, then 2, 3 and 5 (null: another prime factor). */
function radicesOf(size: number): number[] | null {
  const radices: number[] = [];
  let r = size;
  while (r % 4 === 0) {
    radices.push(4);
    r /= 4;
  }
  for (const p of [2, 3, 5]) {
    while (r % p === 0) {
      radices.push(p);
      r /= p;
    }
  }
  return r === 1 ? radices : null;
}

/** The estimated cost of a transform of this length (PASS_COST), or Infinity for lengths it cannot do. */
export function transformCost(size: number): number {
  const radices = radicesOf(size);
  return radices ? size * radices.reduce((sum, radix) => sum + PASS_COST[radix]!, 0) : Infinity;
}

/**
 * The length ≥ n, made of 2s, 3s and 5s, whose transform is cheapest by
 * transformCost: 3,072 (= 4⁵·3) for 3,072 rather than 3,125 (= 5⁵), 4,096 rather
 * than 4,000 — not always the smallest. Lengths within the model's ~3 % accuracy of
 * the cheapest count as ties, and the shortest of them wins (the CWT makes more passes
 * over every point than the transform's own).
 */
export function fastLength(n: number): number {
  const from = Math.max(1, n);
  // a power of two ≥ n lies below 2n, so nothing beyond can be cheaper
  let cheapest = Infinity;
  for (let m = from; m <= 2 * from; m++) cheapest = Math.min(cheapest, transformCost(m));
  for (let m = from; ; m++) if (transformCost(m) <= TIE * cheapest) return m;
}

const TIE = 1.03;

interface Stage {
  radix: number;
  /** sub-transform length at this stage */
  n: number;
  /** stride */
  s: number;
  /** twiddles w^(k·p) for p < n/radix, k < radix: interleaved re, im */
  twiddles: Float64Array;
}

export class MixedRadixFFT {
  private readonly stages: Stage[] = [];
  private readonly work: Float64Array;

  constructor(readonly size: number) {
    const radices = radicesOf(size);
    if (!radices) throw new Error(`FFT length ${size} has a prime factor other than 2, 3 and 5`);
    let n = size;
    let s = 1;
    for (const radix of radices) {
      const m = n / radix;
      const twiddles = new Float64Array(2 * m * radix);
      for (let p = 0; p < m; p++) {
        for (let k = 0; k < radix; k++) {
          const angle = (-2 * Math.PI * p * k) / n;
          twiddles[2 * (p * radix + k)] = Math.cos(angle);
          twiddles[2 * (p * radix + k) + 1] = Math.sin(angle);
        }
      }
      this.stages.push({ radix, n, s, twiddles });
      n = m;
      s *= radix;
    }
    this.work = new Float64Array(2 * size);
  }

  /** Forward transform of `input` (interleaved, 2·size) into `output` (may not alias the input; the input is not changed). */
  transform(output: Float64Array, input: Float64Array): void {
    const k = this.stages.length;
    if (k === 0) {
      output.set(input.subarray(0, 2 * this.size));
      return;
    }
    // the first stage reads the input itself and the last one writes the output: no copy passes
    let x = input;
    for (let i = 0; i < k; i++) {
      const st = this.stages[i]!;
      const y = (k - 1 - i) % 2 === 0 ? output : this.work;
      if (st.radix === 4) radix4(x, y, st);
      else if (st.radix === 2) radix2(x, y, st);
      else if (st.radix === 3) radix3(x, y, st);
      else radix5(x, y, st);
      x = y;
    }
  }
}

function radix2(x: Float64Array, y: Float64Array, { n, s, twiddles: tw }: Stage): void {
  const m = n / 2;
  for (let p = 0; p < m; p++) {
    const w1r = tw[4 * p + 2]!;
    const w1i = tw[4 * p + 3]!;
    for (let q = 0; q < s; q++) {
      const a = 2 * (q + s * p);
      const b = 2 * (q + s * (p + m));
      const ar = x[a]!;
      const ai = x[a + 1]!;
      const br = x[b]!;
      const bi = x[b + 1]!;
      const o0 = 2 * (q + s * 2 * p);
      const o1 = o0 + 2 * s;
      y[o0] = ar + br;
      y[o0 + 1] = ai + bi;
      const dr = ar - br;
      const di = ai - bi;
      y[o1] = dr * w1r - di * w1i;
      y[o1 + 1] = dr * w1i + di * w1r;
    }
  }
}

function radix4(x: Float64Array, y: Float64Array, { n, s, twiddles: tw }: Stage): void {
  const m = n / 4;
  const sm = s * m;
  for (let p = 0; p < m; p++) {
    const t = 8 * p;
    const w1r = tw[t + 2]!;
    const w1i = tw[t + 3]!;
    const w2r = tw[t + 4]!;
    const w2i = tw[t + 5]!;
    const w3r = tw[t + 6]!;
    const w3i = tw[t + 7]!;
    const outBase = s * 4 * p;
    for (let q = 0; q < s; q++) {
      const i0 = 2 * (q + s * p);
      const i1 = i0 + 2 * sm;
      const i2 = i1 + 2 * sm;
      const i3 = i2 + 2 * sm;
      const a0r = x[i0]!;
      const a0i = x[i0 + 1]!;
      const a1r = x[i1]!;
      const a1i = x[i1 + 1]!;
      const a2r = x[i2]!;
      const a2i = x[i2 + 1]!;
      const a3r = x[i3]!;
      const a3i = x[i3 + 1]!;
      // DFT of 4: A_k = Σ a_j (−i)^(jk)
      const s02r = a0r + a2r;
      const s02i = a0i + a2i;
      const d02r = a0r - a2r;
      const d02i = a0i - a2i;
      const s13r = a1r + a3r;
      const s13i = a1i + a3i;
      const d13r = a1r - a3r;
      const d13i = a1i - a3i;
      const o = 2 * (q + outBase);
      const os = 2 * s;
      y[o] = s02r + s13r;
      y[o + 1] = s02i + s13i;
      // A1 = d02 − i·d13
      const b1r = d02r + d13i;
      const b1i = d02i - d13r;
      y[o + os] = b1r * w1r - b1i * w1i;
      y[o + os + 1] = b1r * w1i + b1i * w1r;
      const b2r = s02r - s13r;
      const b2i = s02i - s13i;
      y[o + 2 * os] = b2r * w2r - b2i * w2i;
      y[o + 2 * os + 1] = b2r * w2i + b2i * w2r;
      // A3 = d02 + i·d13
      const b3r = d02r - d13i;
      const b3i = d02i + d13r;
      y[o + 3 * os] = b3r * w3r - b3i * w3i;
      y[o + 3 * os + 1] = b3r * w3i + b3i * w3r;
    }
  }
}

const C1 = Math.cos((2 * Math.PI) / 5);
const C2 = Math.cos((4 * Math.PI) / 5);
const S1 = Math.sin((2 * Math.PI) / 5);
const S2 = Math.sin((4 * Math.PI) / 5);
const S3 = Math.sqrt(3) / 2;

function twiddleStore(y: Float64Array, o: number, r: number, i: number, wr: number, wi: number): void {
  y[o] = r * wr - i * wi;
  y[o + 1] = r * wi + i * wr;
}

function radix3(x: Float64Array, y: Float64Array, { n, s, twiddles: tw }: Stage): void {
  const m = n / 3;
  const sm2 = 2 * s * m;
  for (let p = 0; p < m; p++) {
    const t = 6 * p;
    for (let q = 0; q < s; q++) {
      const i0 = 2 * (q + s * p);
      const a0r = x[i0]!;
      const a0i = x[i0 + 1]!;
      const a1r = x[i0 + sm2]!;
      const a1i = x[i0 + sm2 + 1]!;
      const a2r = x[i0 + 2 * sm2]!;
      const a2i = x[i0 + 2 * sm2 + 1]!;
      const tr = a1r + a2r;
      const ti = a1i + a2i;
      const br = a0r - tr / 2;
      const bi = a0i - ti / 2;
      // −i·(√3/2)·(a1 − a2)
      const dr = S3 * (a1i - a2i);
      const di = -S3 * (a1r - a2r);
      const o = 2 * (q + s * 3 * p);
      const os = 2 * s;
      y[o] = a0r + tr;
      y[o + 1] = a0i + ti;
      twiddleStore(y, o + os, br + dr, bi + di, tw[t + 2]!, tw[t + 3]!);
      twiddleStore(y, o + 2 * os, br - dr, bi - di, tw[t + 4]!, tw[t + 5]!);
    }
  }
}

function radix5(x: Float64Array, y: Float64Array, { n, s, twiddles: tw }: Stage): void {
  const m = n / 5;
  const sm2 = 2 * s * m;
  for (let p = 0; p < m; p++) {
    const t = 10 * p;
    for (let q = 0; q < s; q++) {
      const i0 = 2 * (q + s * p);
      const a0r = x[i0]!;
      const a0i = x[i0 + 1]!;
      const a1r = x[i0 + sm2]!;
      const a1i = x[i0 + sm2 + 1]!;
      const a2r = x[i0 + 2 * sm2]!;
      const a2i = x[i0 + 2 * sm2 + 1]!;
      const a3r = x[i0 + 3 * sm2]!;
      const a3i = x[i0 + 3 * sm2 + 1]!;
      const a4r = x[i0 + 4 * sm2]!;
      const a4i = x[i0 + 4 * sm2 + 1]!;
      const t1r = a1r + a4r;
      const t1i = a1i + a4i;
      const t2r = a2r + a3r;
      const t2i = a2i + a3i;
      const t3r = a1r - a4r;
      const t3i = a1i - a4i;
      const t4r = a2r - a3r;
      const t4i = a2i - a3i;
      const b1r = a0r + C1 * t1r + C2 * t2r;
      const b1i = a0i + C1 * t1i + C2 * t2i;
      const b2r = a0r + C2 * t1r + C1 * t2r;
      const b2i = a0i + C2 * t1i + C1 * t2i;
      // e1 = S1·t3 + S2·t4, e2 = S2·t3 − S1·t4; A1 = b1 − i·e1, A4 = b1 + i·e1, A2 = b2 − i·e2, A3 = b2 + i·e2
      const e1r = S1 * t3r + S2 * t4r;
      const e1i = S1 * t3i + S2 * t4i;
      const e2r = S2 * t3r - S1 * t4r;
      const e2i = S2 * t3i - S1 * t4i;
      const o = 2 * (q + s * 5 * p);
      const os = 2 * s;
      y[o] = a0r + t1r + t2r;
      y[o + 1] = a0i + t1i + t2i;
      twiddleStore(y, o + os, b1r + e1i, b1i - e1r, tw[t + 2]!, tw[t + 3]!);
      twiddleStore(y, o + 2 * os, b2r + e2i, b2i - e2r, tw[t + 4]!, tw[t + 5]!);
      twiddleStore(y, o + 3 * os, b2r - e2i, b2i + e2r, tw[t + 6]!, tw[t + 7]!);
      twiddleStore(y, o + 4 * os, b1r - e1i, b1i + e1r, tw[t + 8]!, tw[t + 9]!);
    }
  }
}
