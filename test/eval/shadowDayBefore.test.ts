/** A shadow's day before (detector/eval/outcome.ts shadowDayBefore) and the evaluation's shadows by it (summary.ts shadowDayBeforeRows). */
import { shadowDayBefore, type Outcome } from '../../detector/eval/outcome';
import { SHADOW_DAY_BEFORE_GROUPS, shadowDayBeforeRows } from '../../detector/eval/summary';

describe('shadowDayBefore', () => {
  it("says whether the array's shadow was named, missed or absent the day before", () => {
    expect(shadowDayBefore({ fault: 'partial_shading', visible: true, named: true })).toBe('named');
    expect(shadowDayBefore({ fault: 'partial_shading', visible: true, named: false })).toBe('missed');
    // a shadow that did not show (the sun did not pass behind the obstacle, or too dim) is none, as another fault or a healthy day
    expect(shadowDayBefore({ fault: 'partial_shading', visible: false, named: false })).toBe('none');
    expect(shadowDayBefore({ fault: 'open_circuit', visible: true, named: true })).toBe('none');
    expect(shadowDayBefore({ fault: 'normal', visible: false, named: false })).toBe('none');
    expect(shadowDayBefore(undefined)).toBe('none');
  });

  it('groups the visible shadows by their day before: named, what they were called, under which skies', () => {
    const o = (shadowDayBefore: string | undefined, alarm: string | null, sky: string, visible = true) =>
      ({ fault: 'partial_shading', visible, shadowDayBefore, alarm, named: alarm === 'partial_shading', ownClass: alarm === 'partial_shading', delayMin: alarm ? 64 : null, sky }) as unknown as Outcome;
    const rows = shadowDayBeforeRows([
      o('none', 'partial_shading', 'clear'),
      o('named', null, 'clear'),
      o('named', 'partial_shading', 'broken'),
      o('named', 'open_circuit', 'clear'),
      o('named', null, 'clear', false),
      o(undefined, null, 'clear'),
    ]);
    expect(Object.keys(rows)).toEqual(['named', 'none']);
    expect(rows.named).toMatchObject({ visible: 3, named: 1, calledAs: { none: 1, partial_shading: 1, open_circuit: 1 }, skies: { clear: 2, broken: 1 } });
    expect(rows.none).toMatchObject({ visible: 1, named: 1 });
    expect(SHADOW_DAY_BEFORE_GROUPS).toEqual(['named', 'missed', 'none']);
  });
});
