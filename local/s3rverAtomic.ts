/**
 * s3rver, made to answer as S3 does when an object is read while it is overwritten or deleted.
 *
 * Why this exists: s3rver keeps an object in three files (content, md5, metadata) and
 * overwrites them in place, one after the other, and it answers a PUT before the content
 * is on disk. A GET during or just after a PUT of the same key can therefore read an empty
 * or cut body, or abort (measured: 6 of 19 GETs of one 700-byte key beside 400 PUTs of it).
 * S3 gives every GET a whole object, the old or the new one, and the API's reader relies
 * on that across a rerun: under plain s3rver, test/api/rerun.test.ts answered a 503 now
 * and then. s3rver is no longer maintained, so the fix lives here: every object read holds
 * a shared lock until its bytes are in memory, every write an exclusive one until its
 * files are complete.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import S3rver from 's3rver';

/** Readers share, a writer is alone; a waiting writer goes before readers that come after it (no starvation under steady reads). */
export class ReadWriteLock {
  private readers = 0;
  private writing = false;
  private readonly waiting: { write: boolean; go: () => void }[] = [];

  async read<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire(false);
    try {
      return await work();
    } finally {
      this.readers--;
      this.drain();
    }
  }

  async write<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire(true);
    try {
      return await work();
    } finally {
      this.writing = false;
      this.drain();
    }
  }

  private free(write: boolean): boolean {
    return write ? !this.writing && this.readers === 0 : !this.writing;
  }

  private acquire(write: boolean): Promise<void> {
    if (this.waiting.length === 0 && this.free(write)) {
      this.take(write);
      return Promise.resolve();
    }
    return new Promise((go) => this.waiting.push({ write, go }));
  }

  private take(write: boolean): void {
    if (write) this.writing = true;
    else this.readers++;
  }

  private drain(): void {
    while (this.waiting.length > 0 && this.free(this.waiting[0]!.write)) {
      const next = this.waiting.shift()!;
      this.take(next.write);
      next.go();
      if (next.write) return;
    }
  }
}

/** The part of s3rver's (untyped) filesystem store this module wraps. */
interface StoredObject {
  bucket: string;
  key: string;
  content: Readable | Buffer | null;
  metadata: Record<string, string>;
}
interface FilesystemStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5: string): Promise<void>;
  getObject(bucket: string, key: string, options?: unknown): Promise<StoredObject | null>;
  putObject(object: StoredObject): Promise<{ size: number; md5: string }>;
  [method: string]: unknown;
}

async function bytesOf(content: Readable | Buffer | null): Promise<Buffer> {
  if (content === null) return Buffer.alloc(0);
  if (Buffer.isBuffer(content)) return content;
  const chunks: Buffer[] = [];
  for await (const chunk of content) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}

export function atomicS3rver(options: ConstructorParameters<typeof S3rver>[0]): S3rver {
  const server = new S3rver(options);
  const store = (server as unknown as { store: FilesystemStore }).store;
  const lock = new ReadWriteLock();
  const original = (name: string) => (store[name] as (...args: unknown[]) => Promise<unknown>).bind(store);

  const getObject = original('getObject');
  // the body is read whole under the lock: a stream left open would let a PUT rewrite the file under it
  store.getObject = (bucket, key, opts) =>
    lock.read(async () => {
      const object = (await getObject(bucket, key, opts)) as StoredObject | null;
      if (object?.content) object.content = Readable.from([await bytesOf(object.content)]);
      return object;
    });
  for (const name of ['listObjects', 'existsObject']) {
    const read = original(name);
    store[name] = (...args: unknown[]) => lock.read(() => read(...args));
  }
  for (const name of ['copyObject', 'deleteObject']) {
    const write = original(name);
    store[name] = (...args: unknown[]) => lock.write(() => write(...args));
  }
  // s3rver's own putObject resolves before its content is written; this one only once every file is complete
  // (putObjectMultipart calls it too)
  store.putObject = async (object) => {
    const bytes = await bytesOf(object.content);
    return lock.write(async () => {
      const path = store.getResourcePath(object.bucket, object.key, 'object');
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, bytes);
      const md5 = createHash('md5').update(bytes).digest('hex');
      await store.putMetadata(object.bucket, object.key, object.metadata, md5);
      return { size: bytes.length, md5 };
    });
  };
  return server;
}
