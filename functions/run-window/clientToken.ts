/**
 * The idempotency token of EMR Serverless StartJobRun: at most 64 of [A-Za-z0-9._-].
 * The run window computes it once per job, so every retry of a StartJobRun task in an
 * execution (throttled, or its answer lost) sends the same token and gets the job run
 * already started rather than a second one. Execution names have up to 80 characters:
 * the token keeps a readable prefix of the name and a hash of all of it, so names
 * alike in their first characters still get different tokens.
 */
import { createHash } from 'node:crypto';

export const CLIENT_TOKEN_MAX = 64;
const HASH_CHARS = 16; // 64 bits of SHA-256

export type JobName = 'ingest' | 'predict';

export function clientToken(job: JobName, executionName: string): string {
  const hash = createHash('sha256').update(executionName).digest('hex').slice(0, HASH_CHARS);
  const room = CLIENT_TOKEN_MAX - job.length - HASH_CHARS - 2;
  const readable = executionName.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, room);
  return `${job}-${readable}-${hash}`;
}
