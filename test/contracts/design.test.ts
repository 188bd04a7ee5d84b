import { DEFAULT_DESIGN_NAME, DESIGN_NAMES, MODULE_NAMES, defaultDesign, designOf, parseDesign, parseDesignFile } from '../../contracts/design';
import designsJson from '../../contracts/designs.json';

describe('array designs (contracts/designs.json)', () => {
  it('the default design is today 5 × 3 of the CS5P-220M with its diodes', () => {
    const d = defaultDesign();
    expect(d.name).toBe(DEFAULT_DESIGN_NAME);
    expect(d.layout).toEqual({ nSeries: 5, nStrings: 3, vBypass: 0.45, vBlock: 0.5, bypassDiodes: 1 });
    expect(d.module).toMatchObject({ cellsInSeries: 96, alphaSc: 0.004539, aRef: 2.6373, iLRef: 5.114, iORef: 8.196e-10, rShRef: 381.68, rS: 1.065, egRef: 1.121, dEgdT: -0.0002677, pStc: 220 });
  });

  it('the library holds mono-Si, poly-Si and thin-film modules, each with its source', () => {
    const techs = new Set(MODULE_NAMES.map((n) => (designsJson.moduleLibrary.modules as Record<string, { technology: string }>)[n]!.technology));
    for (const t of ['Mono-c-Si', 'Multi-c-Si', 'CdTe', 'CIGS']) expect(techs).toContain(t);
    expect(designsJson.moduleLibrary.source).toMatch(/pvlib.*0\.16\.1.*sam-library-cec-modules-2019-03-05\.csv/);
    expect(MODULE_NAMES.length).toBeGreaterThanOrEqual(6);
  });

  it('every named design and every library module resolves', () => {
    for (const n of DESIGN_NAMES) expect(() => parseDesign(n)).not.toThrow();
    for (const m of MODULE_NAMES) expect(parseDesign({ modulesPerString: 3, strings: 2, module: m }).module.name).toBe(m);
  });

  it('applies the CEC Adjust to alpha_sc for cec-model modules', () => {
    const d = parseDesign({ modulesPerString: 2, strings: 1, module: 'First Solar_ Inc. FS-6385' });
    expect(d.module.alphaSc).toBeCloseTo(0.00137 * (1 + 13.503751 / 100), 12);
    expect(d.module.cellsInSeries).toBe(264);
  });

  it('estimates Voc and Isc within 2 % of the datasheet for every library module (the range check uses them)', () => {
    const rows = designsJson.moduleLibrary.modules as Record<string, { V_oc_ref: number; I_sc_ref: number }>;
    for (const name of MODULE_NAMES) {
      const m = parseDesign({ modulesPerString: 1, strings: 1, module: name }).module;
      expect(Math.abs((m.aRef * Math.log(m.iLRef / m.iORef)) / rows[name]!.V_oc_ref - 1)).toBeLessThan(0.02);
      expect(Math.abs(m.iLRef / rows[name]!.I_sc_ref - 1)).toBeLessThan(0.02);
    }
  });

  it('passes the bypass diodes per module through to the layout (absent: 1)', () => {
    expect(parseDesign({ modulesPerString: 5, strings: 3, module: 'Canadian Solar Inc. CS5P-220M' }).layout.bypassDiodes).toBe(1);
    for (const k of [1, 2, 3, 4]) {
      expect(parseDesign({ modulesPerString: 5, strings: 3, module: 'Canadian Solar Inc. CS5P-220M', bypassDiodes: { perModule: k } }).layout.bypassDiodes).toBe(k);
    }
    // every named design keeps one diode per module (its readings unchanged)
    for (const n of DESIGN_NAMES) expect(parseDesign(n).layout.bypassDiodes).toBe(1);
  });

  it('takes explicit single-diode parameters', () => {
    const d = parseDesign({ modulesPerString: 10, strings: 2, module: { name: 'my module', N_s: 60, alpha_sc: 0.004, a_ref: 1.5, I_L_ref: 9, I_o_ref: 1e-10, R_s: 0.3, R_sh_ref: 300, STC: 270 }, blockingDiodes: { perString: false } });
    expect(d.module).toMatchObject({ name: 'my module', cellsInSeries: 60, alphaSc: 0.004, pStc: 270 });
    expect(d.layout.vBlock).toBe(0);
  });

  it.each([
    [{ modulesPerString: 0, strings: 3, module: 'First Solar_ Inc. FS-6385' }, 'design.modulesPerString: must be an integer 1..40, got 0'],
    [{ modulesPerString: 2.5, strings: 3, module: 'First Solar_ Inc. FS-6385' }, 'design.modulesPerString: must be an integer 1..40, got 2.5'],
    [{ modulesPerString: 5, strings: 101, module: 'First Solar_ Inc. FS-6385' }, 'design.strings: must be an integer 1..100, got 101'],
    [{ modulesPerString: 5, strings: 3, module: 'No Such Module' }, 'design.module: unknown module "No Such Module"'],
    [{ modulesPerString: 5, strings: 3 }, 'design.module: missing'],
    [{ modulesPerString: 5, strings: 3, module: 'First Solar_ Inc. FS-6385', colour: 'blue' }, 'design.colour: unknown key'],
    [{ modulesPerString: 5, strings: 3, module: { N_s: 60, alpha_sc: 0.004, a_ref: 1.5, I_L_ref: 9, I_o_ref: 1e-10, R_s: -1, R_sh_ref: 300, STC: 270 } }, 'design.module.R_s: must be a number 0..50, got -1'],
    [{ modulesPerString: 5, strings: 3, module: 'First Solar_ Inc. FS-6385', bypassDiodes: { perModule: 5 } }, 'design.bypassDiodes.perModule: must be an integer 1..4, got 5'],
    [{ modulesPerString: 5, strings: 3, module: 'First Solar_ Inc. FS-6385', bypassDiodes: { perModule: 0 } }, 'design.bypassDiodes.perModule: must be an integer 1..4, got 0'],
    [{ modulesPerString: 5, strings: 3, module: 'Solar Frontier SF170-S', bypassDiodes: { perModule: 3 } }, "design.bypassDiodes.perModule: 3 diodes cannot each span an equal sub-string of Solar Frontier SF170-S's 170 cells in series"],
    [{ modulesPerString: 5, strings: 3, module: 'First Solar_ Inc. FS-6385', blockingDiodes: { perString: 'yes' } }, 'design.blockingDiodes.perString: must be true or false'],
    ['nope', 'design: unknown design "nope"'],
    [{ modulesPerString: 8, strings: 2, module: 'First Solar_ Inc. FS-6385' }, "design.modulesPerString: 8 modules of First Solar_ Inc. FS-6385 make ~1719 V open circuit at STC, above the readings' 1500 V"],
    [{ modulesPerString: 5, strings: 12, module: 'LG Electronics Inc. LG320N1K-A5' }, "design.strings: 12 strings of LG Electronics Inc. LG320N1K-A5 make ~122 A short circuit at STC, above the readings' 100 A"],
  ])('names the key of a wrong value: %j', (input, message) => {
    expect(() => parseDesign(input)).toThrow(message);
  });

  describe('a plant of mixed designs', () => {
    const file = { arrays: [{ share: 0.7, design: DEFAULT_DESIGN_NAME }, { share: 0.3, design: { modulesPerString: 4, strings: 2, module: 'Miasole FLEX-03 300W' } }] };
    it('splits shares into device ranges in order', () => {
      const plan = parseDesignFile(file, 10);
      expect(plan.parts.map((p) => [p.from, p.to])).toEqual([[0, 7], [7, 10]]);
      expect(designOf(plan, 6).name).toBe(DEFAULT_DESIGN_NAME);
      expect(designOf(plan, 7).module.technology).toBe('CIGS');
    });
    it('takes device ranges that tile the plant, and rejects gaps', () => {
      expect(parseDesignFile({ arrays: [{ devices: [0, 3], design: DEFAULT_DESIGN_NAME }, { devices: [3, 5], design: 'cdte-4x4-fs-6385' }] }, 5).parts).toHaveLength(2);
      expect(() => parseDesignFile({ arrays: [{ devices: [0, 3], design: DEFAULT_DESIGN_NAME }, { devices: [4, 5], design: DEFAULT_DESIGN_NAME }] }, 5)).toThrow('design.arrays[1].devices: must start at 3');
      expect(() => parseDesignFile({ arrays: [{ devices: [0, 3], design: DEFAULT_DESIGN_NAME }] }, 5)).toThrow('cover devices 0..3, the plant has 5');
      expect(() => parseDesignFile({ arrays: [{ share: 0.5, design: DEFAULT_DESIGN_NAME }, { share: 0.4, design: DEFAULT_DESIGN_NAME }] }, 5)).toThrow('shares must sum to 1');
      expect(() => parseDesignFile({ arrays: [{ share: 1, design: { modulesPerString: 0 } }] }, 5)).toThrow('design.arrays[0].design.modulesPerString');
    });
    it('a single design covers every device', () => {
      expect(parseDesignFile('cdte-4x4-fs-6385', 4).parts).toEqual([{ from: 0, to: 4, design: parseDesign('cdte-4x4-fs-6385') }]);
    });
  });
});
