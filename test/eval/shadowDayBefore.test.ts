/** A shadow's day before (detector/eval/outcome.ts shadowDayBefore) and the evaluation's shadows by it (summary.ts shadowDayBeforeRows) and by their day's own evidence (shadowEvidenceRows). */
import { shadowDayBefore, type Outcome } from '../../detector/eval/outcome';
import { SHADOW_DAY_BEFORE_GROUPS, SHADOW_EVIDENCE_GROUPS, shadowDayBeforeRows, shadowEvidenceRows } from '../../detector/eval/summary';

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

describe('shadowEvidenceRows', () => {
  it("groups the visible shadows by how far their day's own evidence came, lower bounds inclusive", () => {
    const o = (shadowEvidence: number | null | undefined, alarm: string | null, sky: string, visible = true) =>
      ({ fault: 'partial_shading', visible, shadowEvidence, alarm, named: alarm === 'partial_shading', ownClass: alarm === 'partial_shading', delayMin: alarm ? 43 : null, sky }) as unknown as Outcome;
    const rows = shadowEvidenceRows([
      o(1, 'partial_shading', 'clear'),
      o(2.4, 'partial_shading', 'broken'),
      o(0.5, null, 'clear'),
      o(0.49, 'partial_shading', 'mostly_cloudy'),
      o(0, null, 'mostly_cloudy'),
      o(0.1, null, 'mostly_cloudy', false),
      o(null, null, 'clear'),
      o(undefined, null, 'clear'),
    ]);
    expect(Object.keys(rows)).toEqual(['reached', '½ to 1', '¼ to ½', 'under ¼']);
    expect(rows.reached).toMatchObject({ visible: 2, named: 2, skies: { clear: 1, broken: 1 } });
    expect(rows['½ to 1']).toMatchObject({ visible: 1, named: 0, calledAs: { none: 1 } });
    // a shadow named though its day alone stayed under the threshold: re-armed where the day before named it
    expect(rows['¼ to ½']).toMatchObject({ visible: 1, named: 1 });
    expect(rows['under ¼']).toMatchObject({ visible: 1, named: 0, skies: { mostly_cloudy: 1 } });
    expect(SHADOW_EVIDENCE_GROUPS.map((g) => g.name)).toEqual(['reached', '½ to 1', '¼ to ½', 'under ¼']);
  });
});
