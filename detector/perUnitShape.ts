/**
 * A design's per-unit shapes (contracts/detector.json perUnit.shape): the coefficients
 * that map its per-unit voltage and current onto the default design's at the measured
 * irradiance and module temperature. Dividing by the STC values and correcting the
 * voltage linearly for heat leaves what each technology's maximum-power point does with
 * light and heat (a CdTe module's Vmp falls 1 % from 1000 to 100 W/m², the default
 * mono-Si one's 4 %); the model learnt healthy from the default design's, and on the
 * held-out CdTe plant read a shadow in healthy arrays at dawn and dusk (the model card's
 * Limits). Fitted where the registry is written (detector/simulator/registry.ts: the
 * simulator, Pulumi, npm run registry, npm run import:csv), so that both predict jobs
 * only evaluate a polynomial from the row (detector/perUnit.ts, spark/pvfault/windows.py)
 * and neither needs a single-diode solver.
 */
import { defaultDesign, type Design } from '../contracts/design';
import { PER_UNIT, SHAPE_TERMS, shapeBasis, shapeCoordinates } from './perUnit';
import { calcParamsDesoto, keyPoints } from './simulator/singleDiode';

const SHAPE = PER_UNIT.shape;

export interface DesignShapes {
  voltageShape: number[];
  currentShape: number[];
}

type Module = Design['module'];

/** f (Vmp over its linear model) and g (Imp over its linear model) of a module on the fit grid, grid point by point. */
function residualModel(module: Module): { f: number[]; g: number[] } {
  const { referenceTemperature, minFactor } = PER_UNIT;
  const stc = keyPoints(calcParamsDesoto(1000, referenceTemperature, module));
  const warm = keyPoints(calcParamsDesoto(1000, referenceTemperature + 25, module));
  // as detector/simulator/registry.ts moduleStc: the relative fall of Vmp per kelvin from 25 to 50 °C
  const drop = (1 - warm.vMp / stc.vMp) / 25;
  const f: number[] = [];
  const g: number[] = [];
  for (const G of SHAPE.fitGrid.irradiance)
    for (const T of SHAPE.fitGrid.temperature) {
      const k = keyPoints(calcParamsDesoto(G, T, module));
      f.push(k.vMp / (stc.vMp * Math.max(minFactor, 1 - drop * (T - referenceTemperature))));
      g.push(k.iMp / ((stc.iMp * G) / 1000));
    }
  return { f, g };
}

/** Least squares by the normal equations (8 unknowns, 204 grid points: well conditioned at this size), Gaussian elimination with partial pivoting. */
function leastSquares(rows: readonly number[][], target: readonly number[]): number[] {
  const n = rows[0]!.length;
  const a = Array.from({ length: n }, (_, i) => [...Array.from({ length: n }, (_, j) => rows.reduce((s, r) => s + r[i]! * r[j]!, 0)), rows.reduce((s, r, k) => s + r[i]! * target[k]!, 0)]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    [a[c], a[p]] = [a[p]!, a[c]!];
    for (let r = c + 1; r < n; r++) {
      const m = a[r]![c]! / a[c]![c]!;
      for (let k = c; k <= n; k++) a[r]![k]! -= m * a[c]![k]!;
    }
  }
  const out = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = a[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= a[r]![k]! * out[k]!;
    out[r] = s / a[r]![r]!;
  }
  return out;
}

const cache = new WeakMap<Module, DesignShapes>();
let reference: { module: Module; f: number[]; g: number[] } | null = null;

/** The registry row's shapes of a design's module: zeros for the default design's, else the fit, each coefficient rounded to float32 (as the registry table stores it). */
export function designShapes(module: Module): DesignShapes {
  let shapes = cache.get(module);
  if (shapes) return shapes;
  if (!reference) {
    const m = defaultDesign().module;
    reference = { module: m, ...residualModel(m) };
  }
  const zeros = () => new Array<number>(SHAPE_TERMS).fill(0);
  if (sameModule(module, reference.module)) shapes = { voltageShape: zeros(), currentShape: zeros() };
  else {
    const own = residualModel(module);
    const rows = SHAPE.fitGrid.irradiance.flatMap((G) => SHAPE.fitGrid.temperature.map((T) => shapeBasis(...shapeCoordinates(G, T))));
    const fit = (ref: number[], mine: number[]) => leastSquares(rows, ref.map((r, i) => Math.log(r / mine[i]!))).map(Math.fround);
    shapes = { voltageShape: fit(reference.f, own.f), currentShape: fit(reference.g, own.g) };
  }
  cache.set(module, shapes);
  return shapes;
}

// two module objects of the same parameters (a design parsed twice) are the same module
function sameModule(a: Module, b: Module): boolean {
  return (['cellsInSeries', 'alphaSc', 'aRef', 'iLRef', 'iORef', 'rShRef', 'rS', 'egRef', 'dEgdT'] as const).every((k) => a[k] === b[k]);
}
