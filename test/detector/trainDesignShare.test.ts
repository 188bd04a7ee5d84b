import { DEFAULT_DESIGN_NAME } from '../../contracts/design';
import { TRAINING_DESIGN_SHARE, trainingDesign } from '../../detector/dataset';
import { readEvaluation, trainedDesignShare } from '../../detector/model/report';
import { parseDesignShare } from '../../detector/model/train';

const dates = Array.from({ length: 200 }, (_, i) => new Date(Date.UTC(2025, 0, 1 + i)).toISOString().slice(0, 10));
const isDefault = (seed: number, date: string, share?: number) => trainingDesign(seed, date, share).name === DEFAULT_DESIGN_NAME;

describe('npm run train --design-share', () => {
  it('reads a share from 0 to 1 and refuses anything else with the flag named', () => {
    expect(parseDesignShare('0.75', 'training')).toBe(0.75);
    expect(parseDesignShare('0', 'training')).toBe(0);
    expect(parseDesignShare('1', 'training')).toBe(1);
    for (const bad of ['', ' ', '1.5', '-0.1', 'half', 'NaN']) expect(() => parseDesignShare(bad, 'training')).toThrow(/--design-share: .* is not a share from 0 to 1/);
  });

  it('is refused with --designs default, where no plant-day is of another design', () => {
    expect(parseDesignShare(String(TRAINING_DESIGN_SHARE), 'default')).toBe(TRAINING_DESIGN_SHARE);
    expect(() => parseDesignShare('0.75', 'default')).toThrow(/--design-share: 0.75 needs --designs training/);
  });

  it('draws other designs on about that share of plant-days, nested: a plant-day of another design keeps it at a larger share', () => {
    const seed = 1000;
    const other = (share: number) => dates.filter((d) => !isDefault(seed, d, share));
    expect(other(0)).toEqual([]);
    expect(other(1)).toHaveLength(dates.length);
    const half = other(0.5);
    const most = other(0.75);
    // 200 draws: a binomial share within ±0.1 of its p fails about once in 10^3 runs of other seeds; these seeds are fixed
    expect(half.length / dates.length).toBeGreaterThan(0.4);
    expect(half.length / dates.length).toBeLessThan(0.6);
    expect(most.length / dates.length).toBeGreaterThan(0.65);
    expect(most.length / dates.length).toBeLessThan(0.85);
    for (const d of half) {
      expect(most).toContain(d);
      expect(trainingDesign(seed, d, 0.75)).toEqual(trainingDesign(seed, d, 0.5));
    }
    // without a share, trainingDesign draws at the default
    expect(dates.map((d) => isDefault(seed, d))).toEqual(dates.map((d) => isDefault(seed, d, TRAINING_DESIGN_SHARE)));
  });

  it('defaults to the share the committed model was trained with', () => {
    const evaluation = readEvaluation();
    expect(TRAINING_DESIGN_SHARE).toBe(trainedDesignShare(evaluation));
  });
});
