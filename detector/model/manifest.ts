/**
 * The files that make a deployable model and its version, read without loading
 * tfjs: the infrastructure uploads them to s3://bootstrap/model/<version>/ and the
 * state machine hands that prefix to the predict job.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ARTIFACTS_DIR = join(__dirname, 'artifacts');
/** tfjs layers model (topology + weights), our normalisation constants and the alarm thresholds calibrated for it: what both runtimes load */
export const MODEL_FILES = ['model.json', 'weights.bin', 'normalization.json', 'alarms.json'] as const;
/** A version is a path segment and sits inside an ASL intrinsic: keep it to these characters. */
export const MODEL_VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function readModelVersion(dir: string = ARTIFACTS_DIR): string {
  const path = join(dir, 'normalization.json');
  let version: unknown;
  try {
    version = (JSON.parse(readFileSync(path, 'utf8')) as { modelVersion?: unknown }).modelVersion;
  } catch (err) {
    throw new Error(`no trained model in ${dir} (${(err as Error).message}); run npm run train`);
  }
  if (typeof version !== 'string' || !MODEL_VERSION_PATTERN.test(version)) throw new Error(`${path}: modelVersion ${JSON.stringify(version)} is not a valid version (${MODEL_VERSION_PATTERN.source})`);
  return version;
}
