/** The gold bucket on S3 (or any S3 API) as the reader's ObjectStore, with ranged GETs. */
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { ObjectMissing, StoreUnavailable, type ObjectStore } from './tableReader';

const UNAVAILABLE = new Set(['SlowDown', 'ThrottlingException', 'Throttling', 'RequestTimeout', 'ServiceUnavailable', 'InternalError', 'RequestTimeTooSkewed']);

const NETWORK = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|ENOTFOUND|socket hang up|TimeoutError/;

function mapError(err: unknown): never {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number }; code?: string; cause?: { code?: string } };
  const status = e.$metadata?.httpStatusCode ?? 0;
  // no HTTP answer at all (refused, reset, timed out) is unavailability too
  const network = NETWORK.test(`${e.code ?? ''} ${e.cause?.code ?? ''} ${e.name ?? ''} ${e.message ?? ''}`);
  if (UNAVAILABLE.has(e.name ?? '') || status === 503 || status === 500 || network) {
    throw new StoreUnavailable(`gold store unavailable: ${e.name ?? e.code ?? status}`);
  }
  throw err;
}

export class S3Store implements ObjectStore {
  /**
   * deniedMeansMissing: the role may read objects under a prefix but not list the bucket
   * (silver for the series), so S3 answers a missing key with 403: read as missing.
   */
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly options: { deniedMeansMissing?: boolean } = {},
  ) {}

  private missing(err: unknown): boolean {
    return notFound(err) || (this.options.deniedMeansMissing === true && denied(err));
  }

  async getText(key: string): Promise<string | null> {
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return await r.Body!.transformToString('utf8');
    } catch (err) {
      if (this.missing(err)) return null;
      return mapError(err);
    }
  }

  async getRange(key: string, start: number, end: number): Promise<ArrayBuffer> {
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=${start}-${end - 1}` }));
      const bytes = await r.Body!.transformToByteArray();
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    } catch (err) {
      // the reader tells a rerun's cleanup from other failures by this
      if (this.missing(err)) throw new ObjectMissing(key);
      return mapError(err);
    }
  }

  async listKeys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
        for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (err) {
      return mapError(err);
    }
    return keys;
  }
}

function notFound(err: unknown): boolean {
  return err instanceof NoSuchKey || (err as { name?: string }).name === 'NoSuchKey' || (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;
}

function denied(err: unknown): boolean {
  return (err as { name?: string }).name === 'AccessDenied' || (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403;
}
