/**
 * The single-diode model of a PV module with De Soto's temperature and irradiance
 * dependence — the equations of pvlib's calcparams_desoto and singlediode, solved
 * in closed form with the Lambert W function (Jain & Kapoor 2004).
 *
 *   I = IL − I0·(exp((V + I·Rs)/nNsVth) − 1) − (V + I·Rs)/Rsh
 */

/** Boltzmann constant over the elementary charge, eV/K (as pvlib). */
const K_B_EV = 8.617332478e-5;

/**
 * W(e^x), the principal branch of Lambert W at e^x, for any real x — in log space so
 * that the huge arguments of the I-V equations (e^1000 and more) do not overflow.
 * Solves w + ln w = x with Halley's method (cubic convergence, 3–4 steps).
 */
export function lambertWExp(x: number): number {
  if (x === Infinity) return Infinity;
  if (x < -700) return Math.exp(x); // W(z) ≈ z for tiny z
  // initial guess: ln(1 + e^x) is within 30 % below x = 1; asymptotic form above
  let w = x < 1 ? Math.log1p(Math.exp(x)) : x - Math.log(x);
  for (let i = 0; i < 8; i++) {
    const lw = Math.log(w);
    const f = w + lw - x;
    // Halley step for f(w) = w + ln w − x: f' = 1 + 1/w, f'' = −1/w²
    const fp = 1 + 1 / w;
    const fpp = -1 / (w * w);
    const step = f / (fp - (f * fpp) / (2 * fp));
    const next = w - step;
    w = next > 0 ? next : w / 2;
    if (Math.abs(step) <= 1e-15 * Math.max(1, w)) break;
  }
  return w;
}

/** The five parameters of the single-diode equation at one operating condition. */
export interface DiodeParams {
  photocurrent: number; // IL, A
  saturationCurrent: number; // I0, A
  resistanceSeries: number; // Rs, Ω
  resistanceShunt: number; // Rsh, Ω
  nNsVth: number; // modified ideality factor × cells × thermal voltage, V
}

/** Current at voltage V (pvlib i_from_v, Lambert W method). */
export function currentAt(p: DiodeParams, v: number): number {
  const { photocurrent: il, saturationCurrent: i0, resistanceSeries: rs, resistanceShunt: rsh, nNsVth: a } = p;
  const gsh = 1 / rsh;
  if (rs === 0) return il - i0 * Math.expm1(v / a) - gsh * v;
  const denom = rs * gsh + 1;
  // ln of the Lambert W argument: Rs·I0/(a·(Rs·Gsh+1)) · exp((Rs·(IL+I0) + V)/(a·(Rs·Gsh+1)))
  const logArg = Math.log((rs * i0) / (a * denom)) + (rs * (il + i0) + v) / (a * denom);
  return (il + i0 - v * gsh) / denom - (a / rs) * lambertWExp(logArg);
}

/** Voltage at current I (pvlib v_from_i, Lambert W method); negative beyond IL (reverse bias). */
export function voltageAt(p: DiodeParams, i: number): number {
  const { photocurrent: il, saturationCurrent: i0, resistanceSeries: rs, resistanceShunt: rsh, nNsVth: a } = p;
  if (!Number.isFinite(rsh)) {
    // no shunt path: V = a·ln((IL + I0 − I)/I0) − I·Rs, as log1p for accuracy near I = IL
    return a * Math.log1p((il - i) / i0) - i * rs;
  }
  // ln of I0·Rsh/a · exp(Rsh·(IL + I0 − I)/a)
  const logArg = Math.log((i0 * rsh) / a) + (rsh * (il + i0 - i)) / a;
  return (il + i0 - i) * rsh - i * rs - a * lambertWExp(logArg);
}

export interface KeyPoints {
  iSc: number;
  vOc: number;
  iMp: number;
  vMp: number;
  pMp: number;
}

/** Maximises a unimodal function on [lo, hi] by golden-section search. */
export function goldenMax(f: (x: number) => number, lo: number, hi: number, tol = 1e-10): number {
  const g = (Math.sqrt(5) - 1) / 2;
  let a = lo;
  let b = hi;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = f(c);
  let fd = f(d);
  while (b - a > tol * Math.max(1, Math.abs(a) + Math.abs(b))) {
    if (fc > fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = f(d);
    }
  }
  return (a + b) / 2;
}

/** Short-circuit, open-circuit and maximum-power points (pvlib singlediode). */
export function keyPoints(p: DiodeParams): KeyPoints {
  const iSc = currentAt(p, 0);
  const vOc = p.photocurrent > 0 ? voltageAt(p, 0) : 0;
  if (vOc <= 0) return { iSc: Math.max(iSc, 0), vOc: 0, iMp: 0, vMp: 0, pMp: 0 };
  const vMp = goldenMax((v) => v * currentAt(p, v), 0, vOc);
  const iMp = currentAt(p, vMp);
  return { iSc, vOc, iMp, vMp, pMp: vMp * iMp };
}

/** Reference parameters of a module for the De Soto model (as in the CEC database). */
export interface ModuleParams {
  /** cells in series */
  cellsInSeries: number;
  alphaSc: number; // A/K, temperature coefficient of Isc
  aRef: number; // V, modified ideality factor at reference
  iLRef: number; // A
  iORef: number; // A
  rShRef: number; // Ω
  rS: number; // Ω
  /** band gap at reference, eV (1.121 for c-Si) */
  egRef?: number;
  /** band gap temperature dependence, 1/K (−0.0002677 for c-Si) */
  dEgdT?: number;
  /** nameplate power at STC, W (for yield figures) */
  pStc: number;
}

/** pvlib calcparams_desoto: the diode parameters at an effective irradiance and cell temperature. */
export function calcParamsDesoto(
  effectiveIrradiance: number,
  tempCell: number,
  m: Pick<ModuleParams, 'alphaSc' | 'aRef' | 'iLRef' | 'iORef' | 'rShRef' | 'rS' | 'egRef' | 'dEgdT'>,
  irradRef = 1000,
  tempRef = 25,
): DiodeParams {
  const egRef = m.egRef ?? 1.121;
  const dEgdT = m.dEgdT ?? -0.0002677;
  const tRefK = tempRef + 273.15;
  const tCellK = tempCell + 273.15;
  const eg = egRef * (1 + dEgdT * (tCellK - tRefK));
  const ratio = tCellK / tRefK;
  return {
    photocurrent: (effectiveIrradiance / irradRef) * (m.iLRef + m.alphaSc * (tCellK - tRefK)),
    saturationCurrent: m.iORef * ratio ** 3 * Math.exp(egRef / (K_B_EV * tRefK) - eg / (K_B_EV * tCellK)),
    resistanceSeries: m.rS,
    resistanceShunt: effectiveIrradiance > 0 ? (m.rShRef * irradRef) / effectiveIrradiance : Infinity,
    nNsVth: m.aRef * ratio,
  };
}
