import { FAULT_CLASSES, faultClassIndex, isFaultClass } from '../../contracts';

describe('fault classes', () => {
  it('keep the stable model output order', () => {
    expect(FAULT_CLASSES).toEqual(['normal', 'line_line', 'line_ground', 'open_circuit', 'partial_shading', 'arc_fault']);
    expect(FAULT_CLASSES.map(faultClassIndex)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('reject unknown names clearly', () => {
    expect(isFaultClass('arc_fault')).toBe(true);
    expect(isFaultClass('Arc_Fault')).toBe(false);
    expect(isFaultClass(3)).toBe(false);
    expect(() => faultClassIndex('ground_fault')).toThrow('unknown fault class "ground_fault"; expected one of normal, line_line');
  });
});
