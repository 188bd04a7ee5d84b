/**
 * The local S3 answers as S3 does when a key is read while it is overwritten or deleted:
 * each GET gets the old or the new object whole, or NoSuchKey, never an empty or cut body.
 * Plain s3rver failed this (empty bodies and aborted reads); the API's rerun guarantees rest on it.
 */
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey } from '@aws-sdk/client-s3';
import { ReadWriteLock } from '../../local/s3rverAtomic';
import { startLocalS3, type LocalS3 } from '../../local/localS3';

let s3: LocalS3;
beforeAll(async () => {
  s3 = await startLocalS3(['gold']);
});
afterAll(async () => s3.stop());

const body = (fill: string, n: number) => `${fill.repeat(n)}|${n}`;

describe('the local S3 under overwrites', () => {
  it('gives every GET beside a stream of PUTs and DELETEs of the key a whole object, or no object', async () => {
    const versions = [body('a', 700), body('b', 50_000), body('c', 3)];
    await s3.writer('gold').put('marker', versions[0]!, 'text/plain');
    let writing = true;
    const seen = { whole: 0, missing: 0, bad: [] as string[] };
    const reader = async () => {
      while (writing) {
        try {
          const r = await s3.client.send(new GetObjectCommand({ Bucket: 'gold', Key: 'marker' }));
          const text = await r.Body!.transformToString();
          if (versions.includes(text)) seen.whole++;
          else seen.bad.push(`a body of ${text.length} characters`);
        } catch (err) {
          if (err instanceof NoSuchKey) seen.missing++;
          else seen.bad.push(`${(err as Error).name}: ${(err as Error).message}`);
        }
      }
    };
    const writer = async () => {
      for (let i = 0; i < 150; i++) {
        if (i % 25 === 24) await s3.writer('gold').delete!('marker');
        else await s3.writer('gold').put('marker', versions[i % 3]!, 'text/plain');
      }
      writing = false;
    };
    await Promise.all([reader(), reader(), reader(), writer()]);
    expect(seen.bad).toEqual([]);
    expect(seen.whole).toBeGreaterThan(0);
  }, 60_000);

  it('reads its own write at once, and lists what it holds', async () => {
    for (let i = 0; i < 40; i++) {
      const text = body(String.fromCharCode(97 + (i % 26)), 1 + i * 997);
      await s3.writer('gold').put(`own/${i % 3}`, text, 'text/plain');
      const r = await s3.client.send(new GetObjectCommand({ Bucket: 'gold', Key: `own/${i % 3}` }));
      expect(await r.Body!.transformToString()).toBe(text);
    }
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: 'gold', Prefix: 'own/' }));
    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual(['own/0', 'own/1', 'own/2']);
  });

  it('answers a ranged GET with the range of one version', async () => {
    await s3.writer('gold').put('ranged', body('x', 1000), 'text/plain');
    const r = await s3.client.send(new GetObjectCommand({ Bucket: 'gold', Key: 'ranged', Range: 'bytes=995-1003' }));
    expect(await r.Body!.transformToString()).toBe('xxxxx|100');
  });
});

describe('ReadWriteLock', () => {
  const tick = () => new Promise((r) => setImmediate(r));

  it('lets readers share, keeps a writer alone, and lets a waiting writer go before later readers', async () => {
    const lock = new ReadWriteLock();
    const log: string[] = [];
    let release1!: () => void;
    const r1 = lock.read(async () => {
      log.push('r1 in');
      await new Promise<void>((r) => (release1 = r));
      log.push('r1 out');
    });
    const r2 = lock.read(async () => void log.push('r2'));
    await tick();
    const w = lock.write(async () => void log.push('w'));
    const r3 = lock.read(async () => void log.push('r3'));
    await tick();
    expect(log).toEqual(['r1 in', 'r2']); // the writer waits for r1, r3 waits behind the writer
    release1();
    await Promise.all([r1, r2, w, r3]);
    expect(log).toEqual(['r1 in', 'r2', 'r1 out', 'w', 'r3']);
  });

  it('frees the lock when the work throws', async () => {
    const lock = new ReadWriteLock();
    await expect(lock.write(async () => Promise.reject(new Error('disk full')))).rejects.toThrow('disk full');
    await expect(lock.read(async () => 'read')).resolves.toBe('read');
    await expect(lock.write(async () => 'written')).resolves.toBe('written');
  });
});
