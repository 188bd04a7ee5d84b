/** The fault classes, one list in the model's output order (fault-classes.json). */
import { FAULT_CLASSES, type FaultClass } from './generated';

export { FAULT_CLASSES, type FaultClass };

const INDEX = new Map<string, number>(FAULT_CLASSES.map((name, i) => [name, i]));

export function isFaultClass(name: unknown): name is FaultClass {
  return typeof name === 'string' && INDEX.has(name);
}

/** Index of a class in the model's output; throws on an unknown name. */
export function faultClassIndex(name: string): number {
  const i = INDEX.get(name);
  if (i === undefined) throw new Error(`unknown fault class ${JSON.stringify(name)}; expected one of ${FAULT_CLASSES.join(', ')}`);
  return i;
}
