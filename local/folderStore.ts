/** A bucket as a local folder (what the Spark jobs write locally): keys are paths under it. The API and the tests read it like S3. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ObjectStore } from '../functions/api/tableReader';

export class FolderStore implements ObjectStore {
  constructor(readonly root: string) {}

  async getText(key: string): Promise<string | null> {
    try {
      return readFileSync(join(this.root, key), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async getRange(key: string, start: number, end: number): Promise<ArrayBuffer> {
    const b = readFileSync(join(this.root, key)).subarray(start, end);
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  }
}
