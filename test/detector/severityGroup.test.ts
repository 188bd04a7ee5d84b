import { defaultDesign, parseDesign } from '../../contracts/design';
import { LEAK_GROUPS, severityGroup, shortedGroup } from '../../detector/dataset';
import { moduleStc } from '../../detector/simulator/registry';

// A fault's severity group names the array's own design: a short of 3 modules is a fifth of a
// 16-module string's voltage but more than half of a 5-module one's, and a leak's current is
// its node's voltage over its resistance, which a CdTe module (~173 V) sets far higher than a
// mono-Si one (~47 V).
const short = (count: number) => ({ fault: 'line_line' as const, severity: { count, resistance: 0.1 }, intermittent: false });
const leak = (count: number, resistance: number) => ({ fault: 'line_ground' as const, severity: { count, resistance }, intermittent: false });

describe('severityGroup', () => {
  it('names a short by the modules of the string it is in', () => {
    expect(severityGroup(short(2))).toBe('2 of 5 modules shorted');
    expect(severityGroup(short(2), defaultDesign())).toBe(shortedGroup(2));
    expect(severityGroup(short(3), parseDesign('poly-16x2-cs6p-250p'))).toBe('3 of 16 modules shorted');
    expect(severityGroup(short(1), parseDesign('cdte-4x4-fs-6385'))).toBe('1 of 4 modules shorted');
  });

  it("reckons a leak's current with the design's module voltage (the default design's groups as before: 54 V a module)", () => {
    // the default design: 2 modules × 54 V over 100 Ω = 1.08 A, 1 × 54 V over 150 Ω = 0.36 A
    expect(severityGroup(leak(2, 100))).toBe(LEAK_GROUPS[1]);
    expect(severityGroup(leak(1, 150))).toBe(LEAK_GROUPS[0]);
    const cdte = parseDesign('cdte-4x4-fs-6385');
    const poly = parseDesign('poly-16x2-cs6p-250p');
    const ratio = (d: typeof cdte) => moduleStc(d.module).vMp / moduleStc(defaultDesign().module).vMp;
    expect(ratio(cdte)).toBeGreaterThan(3);
    expect(ratio(poly)).toBeLessThan(0.7);
    // the same node and resistance: a CdTe string's leak draws over three times the current
    expect(severityGroup(leak(1, 150), cdte)).toBe(LEAK_GROUPS[1]);
    expect(severityGroup(leak(2, 100), cdte)).toBe(LEAK_GROUPS[2]);
    // and a poly-Si one's about two thirds: 3 modules over 60 Ω draw 2.7 A on the default design, ~1.7 A on poly-Si
    expect(severityGroup(leak(3, 60))).toBe(LEAK_GROUPS[2]);
    expect(severityGroup(leak(3, 60), poly)).toBe(LEAK_GROUPS[1]);
  });

  it('leaves the groups of the other classes to the fault itself', () => {
    expect(severityGroup({ fault: 'open_circuit', severity: {}, intermittent: true }, parseDesign('poly-16x2-cs6p-250p'))).toBe('intermittent');
    expect(severityGroup({ fault: 'partial_shading', severity: { strings: 1, modules: 4 }, intermittent: false }, parseDesign('poly-16x2-cs6p-250p'))).toBe('1 string, 3–5 modules');
    expect(severityGroup({ fault: 'normal', severity: {}, intermittent: false })).toBe('normal');
  });
});
