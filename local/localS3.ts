/** A real S3 API on loopback (s3rver, with S3's whole-object reads: s3rverAtomic.ts): the local pipeline's buckets, and the tests' and benchmarks' S3. */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { S3Store } from '../functions/api/s3Store';
import { atomicS3rver } from './s3rverAtomic';
import type { ObjectWriter } from '../contracts/partition';

export interface LocalS3 {
  client: S3Client;
  writer(bucket: string): ObjectWriter;
  stop(): Promise<void>;
  port: number;
}

export async function startLocalS3(buckets: string[], dir?: string, options: { separateProcess?: boolean } = {}): Promise<LocalS3> {
  // a given folder keeps the buckets between runs (npm start); otherwise a temporary one
  const directory = dir ?? mkdtempSync(join(tmpdir(), 's3rver-'));
  let info: { port: number };
  let close: () => Promise<void>;
  if (options.separateProcess) {
    const child = fork(join(__dirname, 's3rverProcess.ts'), [directory, buckets.join(',')], { execArgv: ['-r', '@swc-node/register'], stdio: 'ignore' });
    info = await new Promise<{ port: number }>((resolve, reject) => {
      child.once('message', (m) => resolve(m as { port: number }));
      child.once('exit', (code) => reject(new Error(`s3rver process exited with ${code}`)));
    });
    close = async () => {
      child.disconnect();
      await new Promise((r) => child.once('exit', r));
    };
  } else {
    const server = atomicS3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: buckets.map((name) => ({ name })) });
    info = (await server.run()) as unknown as { port: number };
    close = () => server.close();
  }
  const client = new S3Client({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${info.port}`,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  return {
    client,
    port: info.port,
    writer: (bucket) => ({
      put: async (key, body, contentType) => {
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
      },
      delete: async (key) => {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      },
      // the same not-found handling as the API's store
      getText: (key) => new S3Store(client, bucket).getText(key),
      list: async (prefix) => {
        const keys: string[] = [];
        let token: string | undefined;
        do {
          const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
          for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
          token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token);
        return keys;
      },
    }),
    stop: async () => {
      client.destroy();
      await close();
      if (!dir) rmSync(directory, { recursive: true, force: true });
    },
  };
}
