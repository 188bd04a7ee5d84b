/** A bucket as a local folder (what the Spark jobs write locally): keys are paths under it. The API and the tests read it like S3. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
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

  async listKeys(prefix: string): Promise<string[]> {
    // a prefix is not a folder: list the folder it ends in, and keep the keys that start with it
    const folder = join(this.root, prefix.slice(0, prefix.lastIndexOf('/') + 1));
    if (!existsSync(folder)) return [];
    return readdirSync(folder, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => relative(this.root, join(e.parentPath, e.name)).split(sep).join('/'))
      .filter((k) => k.startsWith(prefix))
      .sort();
  }
}
