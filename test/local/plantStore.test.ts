/** The local buckets hold one plant: kept for its next days, started afresh (and said so) for another plant (local/plantStore.ts). */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { preparePlantStore, type PlantIdentity } from '../../local/plantStore';

const plant: PlantIdentity = { seed: 1, devices: 300, faultMix: { normal: 70, arc_fault: 6 }, timeZone: 'Europe/Madrid' };

function withDay(dir: string): string {
  const file = join(dir, 'gold', 'baseline', 'date=2026-06-14', '_commit.json');
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, '{}');
  return file;
}

describe('the local buckets of a plant', () => {
  it('keeps the days of the same plant (the fault mix in any key order)', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'plant-')), 's3');
    const log: string[] = [];
    preparePlantStore(dir, plant, (l) => log.push(l));
    const day = withDay(dir);
    preparePlantStore(dir, { ...plant, faultMix: { arc_fault: 6, normal: 70 } }, (l) => log.push(l));
    expect(existsSync(day)).toBe(true);
    expect(log).toEqual([]);
  });

  it.each([
    ['another seed', { seed: 2 }],
    ['another fleet size', { devices: 20 }],
    ['another fault mix', { faultMix: { normal: 1 } }],
    ['another time zone', { timeZone: 'UTC' }],
  ])('starts afresh for %s, and says why', (_name, change) => {
    const dir = join(mkdtempSync(join(tmpdir(), 'plant-')), 's3');
    preparePlantStore(dir, plant, () => undefined);
    const day = withDay(dir);
    const log: string[] = [];
    preparePlantStore(dir, { ...plant, ...change }, (l) => log.push(l));
    expect(existsSync(day)).toBe(false);
    expect(existsSync(dir)).toBe(true);
    expect(log.join('\n')).toMatch(/held another plant's days \(seed 1, 300 devices\): removed, so that no device is judged against another plant's baseline/);
  });

  it('starts afresh over buckets of an unknown plant (written before plants were tagged)', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'plant-')), 's3');
    const day = withDay(dir);
    const log: string[] = [];
    preparePlantStore(dir, plant, (l) => log.push(l));
    expect(existsSync(day)).toBe(false);
    expect(log.join('\n')).toMatch(/days of an unknown plant/);
  });
});
