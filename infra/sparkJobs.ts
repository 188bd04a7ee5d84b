/**
 * What the infrastructure needs to know of the Spark jobs: their submit parameters
 * (kept with the jobs in spark/submit-parameters.json) and the consumer-group names
 * the Kafka source uses, which the job role's IAM policy names.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './bootstrapContent';

export const SUBMIT_PARAMETERS_PATH = join(REPO_ROOT, 'spark', 'submit-parameters.json');
/** Spark's Kafka source names the groups of a batch query spark-kafka-relation-<uuid>-…; ingest_data.py sets no other prefix. */
export const SPARK_KAFKA_GROUP_PATTERN = 'spark-kafka-relation-*';

export interface SparkSubmitParameters {
  ingest: string;
  predict: string;
}

/** Anything that would make a job fetch from the internet at start: the VPC has no NAT. */
const FETCHES = /--packages\b|spark\.jars\.packages|spark\.jars\.repositories|https?:\/\//;

export function parseSparkSubmitParameters(text: string, source = SUBMIT_PARAMETERS_PATH): SparkSubmitParameters {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`${source}: not valid JSON (${(err as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${source}: expected an object with "ingest" and "predict"`);
  const record = raw as Record<string, unknown>;
  const out = {} as SparkSubmitParameters;
  for (const job of ['ingest', 'predict'] as const) {
    const v = record[job];
    if (typeof v !== 'string' || v.trim() === '') throw new Error(`${source}: "${job}" must be a non-empty string of spark-submit parameters`);
    if (FETCHES.test(v)) throw new Error(`${source}: "${job}" fetches packages at job start (${FETCHES.exec(v)![0]}); the VPC has no NAT: bake jars into the image`);
    out[job] = v.trim();
  }
  return out;
}

export function readSparkSubmitParameters(path = SUBMIT_PARAMETERS_PATH): SparkSubmitParameters {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the Spark submit parameters: ${(err as Error).message}`);
  }
  return parseSparkSubmitParameters(text, path);
}
