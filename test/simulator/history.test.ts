/** A device's fault history over its plant's days: the mix's share on every day, repairs in range, the same fault throughout. */
import { dailyFailureChance, episodeOn, type HistoryOptions } from '../../detector/simulator/history';
import { DEFAULT_FAULT_MIX } from '../../detector/simulator/plant';
import { Rng } from '../../detector/simulator/random';

const options: HistoryOptions = { mix: DEFAULT_FAULT_MIX, repairDays: [1, 10], nStrings: 3, nSeries: 5 };
const DEVICES = 3000;
const stream = (i: number) => new Rng(5, `history:${i}`);

describe('fault history', () => {
  it('keeps the mix’s share of faulty devices from the first day to the fortieth', () => {
    for (const day of [0, 1, 3, 12, 40]) {
      let faulty = 0;
      for (let i = 0; i < DEVICES; i++) if (episodeOn(stream(i), day, options)) faulty++;
      // 30 % of the default mix is faulty; ±3 points is more than 3 standard deviations for 3,000 devices
      expect(Math.abs(faulty / DEVICES - 0.3)).toBeLessThan(0.03);
    }
  });

  it('a fault stays the same fault from its onset day to its repair day, 1–10 days later (the first day’s faults: 0–10), and no longer', () => {
    for (let i = 0; i < 200; i++) {
      const episodes = Array.from({ length: 30 }, (_, day) => episodeOn(stream(i), day, options));
      episodes.forEach((e, day) => {
        if (!e) return;
        expect(e.repairDay - e.onsetDay).toBeGreaterThanOrEqual(e.onsetDay === 0 ? 0 : 1);
        expect(e.repairDay - e.onsetDay).toBeLessThanOrEqual(10);
        expect(day).toBeGreaterThanOrEqual(e.onsetDay);
        expect(day).toBeLessThanOrEqual(e.repairDay);
        if (day > e.onsetDay) expect(episodes[day - 1]).toEqual(e);
        // only the plant's first day has faults that were already there at midnight
        if (e.onsetAt === null) expect(e.onsetDay).toBe(0);
      });
    }
  });

  it('fails healthy devices at the rate the mix asks for, never when it has no faults, every day when it has only faults', () => {
    expect(dailyFailureChance({ mix: { normal: 1 }, repairDays: [1, 10] })).toBe(0);
    expect(dailyFailureChance({ mix: { arc_fault: 1 }, repairDays: [1, 10] })).toBe(1);
    // p = 0.3, a fault spans 6.5 device-days on average: h = 0.3 / (0.3 + 6.5 · 0.7)
    expect(dailyFailureChance(options)).toBeCloseTo(0.3 / (0.3 + 6.5 * 0.7), 12);
    for (let i = 0; i < 50; i++) expect(episodeOn(stream(i), 20, { ...options, mix: { normal: 1 } })).toBeNull();
  });
});
