/**
 * The local buckets hold one simulated plant: its days' silver, gold and the
 * devices' baselines (detector/baseline.ts), which the next day's run reads. A run
 * of another plant (another seed, fleet size, fault mix, time zone or conditions) into the same
 * --out would judge its arrays against the first plant's baselines, whose
 * device ids are the same but whose arrays are not; so the buckets are tagged with
 * their plant, and a run of another plant starts them afresh (and says so).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { NO_CONDITIONS } from '../detector/simulator/conditions';

export interface PlantIdentity {
  seed: number;
  devices: number;
  faultMix: Record<string, number>;
  timeZone: string;
  /** the plant's conditions that are not faults, as a key (absent: none, as before they existed) */
  conditions?: string;
}


function same(a: PlantIdentity, b: PlantIdentity): boolean {
  const key = (p: PlantIdentity) => JSON.stringify([p.seed, p.devices, Object.entries(p.faultMix).sort(([x], [y]) => (x < y ? -1 : 1)), p.timeZone, p.conditions ?? JSON.stringify({ ...NO_CONDITIONS, force: [] })]);
  return key(a) === key(b);
}

/** Makes `dir` the buckets of `plant`: kept when they are its, emptied when they hold another plant's (or an untagged) day. */
export function preparePlantStore(dir: string, plant: PlantIdentity, log: (line: string) => void): void {
  // beside the folder, not in it: s3rver takes every entry of its folder for a bucket
  const tag = `${dir}.plant.json`;
  if (existsSync(tag)) {
    let stored: PlantIdentity | null = null;
    try {
      stored = JSON.parse(readFileSync(tag, 'utf8')) as PlantIdentity;
    } catch {
      stored = null;
    }
    if (stored && same(stored, plant)) return;
    log(`${dir} held another plant's days (${stored ? `seed ${stored.seed}, ${stored.devices} devices` : 'an unreadable tag'}): removed, so that no device is judged against another plant's baseline`);
    rmSync(dir, { recursive: true, force: true });
  } else if (existsSync(dir)) {
    log(`${dir} held days of an unknown plant (no tag): removed, so that no device is judged against another plant's baseline`);
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(tag, `${JSON.stringify(plant, null, 2)}\n`);
}
