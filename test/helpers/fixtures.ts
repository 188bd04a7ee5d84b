import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES_DIR = join(__dirname, '..', 'fixtures');

const SPECIAL_FLOATS: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

/** Reads a JSON fixture; {"$float": "NaN" | "Infinity" | "-Infinity"} becomes that number. */
export function readFixture<T>(relativePath: string): T {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, relativePath), 'utf8'), (_key, value: unknown) => {
    if (value && typeof value === 'object' && '$float' in value) {
      const name = (value as { $float: string }).$float;
      if (!(name in SPECIAL_FLOATS)) throw new Error(`fixture ${relativePath}: unknown $float ${name}`);
      return SPECIAL_FLOATS[name];
    }
    return value;
  }) as T;
}
