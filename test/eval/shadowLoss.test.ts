/** How much of the array's power a shadow took as its sensors saw it (detector/eval/shadowLoss.ts), and the evaluation's shadows by it (summary.ts shadowRows). */
import type { Outcome } from '../../detector/eval/outcome';
import { healthyPower, shadowLoss } from '../../detector/eval/shadowLoss';
import { SHADOW_LOSS_GROUPS, shadowRows } from '../../detector/eval/summary';
import { DEFAULT_DESIGN } from '../../detector/simulator/plant';

/** Per predicted window [voltage, current, temperature, irradiance], its power `share` × the healthy array's, at a fixed voltage. */
function means(windows: { g: number; t: number; share: number }[]): Float64Array {
  return Float64Array.from(windows.flatMap(({ g, t, share }) => [400, (share * healthyPower(DEFAULT_DESIGN, g, t)) / 400, t, g]));
}

describe('the power a shadow took', () => {
  it("is the healthy array's nameplate at standard conditions, less in heat and dim light", () => {
    const modules = DEFAULT_DESIGN.layout.nSeries * DEFAULT_DESIGN.layout.nStrings;
    const stc = healthyPower(DEFAULT_DESIGN, 1000, 25);
    expect(stc / (modules * DEFAULT_DESIGN.module.pStc)).toBeCloseTo(1, 1);
    expect(healthyPower(DEFAULT_DESIGN, 1000, 60)).toBeLessThan(0.9 * stc);
    expect(healthyPower(DEFAULT_DESIGN, 200, 25)).toBeLessThan(0.22 * stc);
  });

  it("compares the shadow's windows with the same day's it did not act in, whatever the sensors' gain, and judges only bright ones", () => {
    const windows = [null, null, null, null, null, 'low_irradiance'].map((skipReason) => ({ skipReason }));
    const active = [0, 0, 64, 40, 64, 64];
    // the gain 0.97 on every window (a current sensor reading low) cancels; the last predicted one is too dim to judge
    const day = means([
      { g: 300, t: 20, share: 0.97 },
      { g: 900, t: 50, share: 0.97 },
      { g: 800, t: 45, share: 0.97 * 0.88 },
      { g: 700, t: 40, share: 0.97 * 0.92 },
      { g: 60, t: 15, share: 0.2 },
    ]);
    expect(shadowLoss(DEFAULT_DESIGN, windows, active, day)).toBeCloseTo(0.1, 2);
    expect(shadowLoss(DEFAULT_DESIGN, windows, active, undefined)).toBeNull();
    // one window to compare with is too few; a shadow acting in under half of every window's slots is not judged
    expect(shadowLoss(DEFAULT_DESIGN, windows, [0, 64, 64, 64, 64, 64], day)).toBeNull();
    expect(shadowLoss(DEFAULT_DESIGN, windows, [0, 0, 31, 10, 0, 0], day)).toBeNull();
  });

  it('groups the visible shadows it could judge by the power they took: named, what they were called, under which skies', () => {
    const o = (shadowLoss: number | null, alarm: string | null, sky: string, visible = true) =>
      ({ fault: 'partial_shading', visible, shadowLoss, alarm, named: alarm === 'partial_shading', ownClass: alarm === 'partial_shading', delayMin: alarm ? 64 : null, sky }) as unknown as Outcome;
    const rows = shadowRows([
      o(0.01, null, 'mostly_cloudy'),
      o(0.015, 'partial_shading', 'mostly_cloudy'),
      o(0.12, 'partial_shading', 'clear'),
      o(0.3, 'open_circuit', 'clear'),
      o(0.25, 'partial_shading', 'broken'),
      o(null, 'partial_shading', 'clear'),
      o(0.3, null, 'clear', false),
    ]);
    expect(Object.keys(rows)).toEqual(['under 2 %', '10–20 %', '20 % or more']);
    expect(rows['under 2 %']).toMatchObject({ visible: 2, namedRate: 0.5, calledAs: { none: 1, partial_shading: 1 }, skies: { mostly_cloudy: 2 } });
    expect(rows['20 % or more']).toMatchObject({ visible: 2, namedRate: 0.5, calledAs: { open_circuit: 1, partial_shading: 1 }, skies: { clear: 1, broken: 1 } });
    expect(SHADOW_LOSS_GROUPS.map((g) => g.name)).toEqual(['under 2 %', '2–5 %', '5–10 %', '10–20 %', '20 % or more']);
  });
});
