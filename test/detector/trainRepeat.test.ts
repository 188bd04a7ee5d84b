import { FAULT_CLASSES } from '../../contracts';
import { epochIndices, parseRepeats } from '../../detector/model/train';

const shading = FAULT_CLASSES.indexOf('partial_shading');
const arc = FAULT_CLASSES.indexOf('arc_fault');

describe('npm run train --repeat', () => {
  it('reads class=k pairs by the contract class names', () => {
    expect([...parseRepeats('partial_shading=3, arc_fault=2')]).toEqual([
      [shading, 3],
      [arc, 2],
    ]);
    expect(parseRepeats('').size).toBe(0);
  });

  it('refuses an unknown class, a missing or bad k, with the flag named', () => {
    expect(() => parseRepeats('shading=3')).toThrow(/--repeat: "shading=3" is not class=k/);
    expect(() => parseRepeats('partial_shading')).toThrow(/is not class=k/);
    expect(() => parseRepeats('partial_shading=0')).toThrow(/k must be an integer from 1 to 20/);
    expect(() => parseRepeats('partial_shading=1.5')).toThrow(/k must be an integer/);
    expect(() => parseRepeats('partial_shading=2=3')).toThrow(/is not class=k/);
  });

  it("gives each window of a repeated class k places in an epoch and every other window one", () => {
    const y = Int32Array.from([0, shading, 1, shading, arc]);
    const order = epochIndices(y, new Map([[shading, 3]]));
    const count = (i: number) => order.filter((j) => j === i).length;
    expect(order.length).toBe(3 + 2 * 3);
    expect([0, 1, 2, 3, 4].map(count)).toEqual([1, 3, 1, 3, 1]);
    expect(Array.from(epochIndices(y, new Map()))).toEqual([0, 1, 2, 3, 4]);
  });
});
