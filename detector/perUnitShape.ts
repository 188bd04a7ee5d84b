/**
 * A design's per-unit shapes (contracts/detector.json perUnit.shape): the coefficients
 * that map its per-unit voltage and current onto the default design's at the measured
 * irradiance and module temperature. Dividing by the STC values and correcting the
 * voltage linearly for heat leaves what each technology's maximum-power point does with
 * light and heat (a CdTe module's Vmp falls 1 % from 1000 to 100 W/m², the default
 * mono-Si one's 4 %); the model learnt healthy from the default design's, and on the
 * held-out CdTe plant read a shadow in healthy arrays at dawn and dusk (the model card's
 * Limits). Fitted where the registry is written (detector/simulator/registry.ts
 * designShapes: the simulator, Pulumi, npm run registry, npm run import:csv), so that
 * both predict jobs only evaluate a polynomial from the row (detector/perUnit.ts,
 * spark/pvfault/windows.py) and neither needs a single-diode solver.
 */
import type { Design } from '../contracts/design';
import type { ModuleStc } from './simulator/registry';
import { PER_UNIT, shapeBasis, shapeCoordinates } from './perUnit';
import { calcParamsDesoto, keyPoints } from './simulator/singleDiode';

const SHAPE = PER_UNIT.shape;

export interface DesignShapes {
  voltageShape: number[];
  currentShape: number[];
}

/** A module's Vmp and Imp over the linear model the division assumes, grid point by grid point: f and g of the contract. */
export interface ResidualModel {
  f: number[];
  g: number[];
}

/** The module's residual model on the fit grid, from its STC values (detector/simulator/registry.ts moduleStc). */
export function residualModel(module: Design['module'], stc: Pick<ModuleStc, 'vMp' | 'iMp' | 'vmpDropPerKelvin'>): ResidualModel {
  const { referenceTemperature, minFactor } = PER_UNIT;
  const f: number[] = [];
  const g: number[] = [];
  for (const G of SHAPE.fitGrid.irradiance)
    for (const T of SHAPE.fitGrid.temperature) {
      const k = keyPoints(calcParamsDesoto(G, T, module));
      f.push(k.vMp / (stc.vMp * Math.max(minFactor, 1 - stc.vmpDropPerKelvin * (T - referenceTemperature))));
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

const GRID_BASIS = SHAPE.fitGrid.irradiance.flatMap((G) => SHAPE.fitGrid.temperature.map((T) => shapeBasis(...shapeCoordinates(G, T))));

/** The shapes that map a module's residual model onto the reference's: ln(reference / own) fitted on the basis, each coefficient rounded to float32 (as the registry table stores it). */
export function fitShapes(own: ResidualModel, reference: ResidualModel): DesignShapes {
  const fit = (ref: number[], mine: number[]) => leastSquares(GRID_BASIS, ref.map((r, i) => Math.log(r / mine[i]!))).map(Math.fround);
  return { voltageShape: fit(reference.f, own.f), currentShape: fit(reference.g, own.g) };
}
