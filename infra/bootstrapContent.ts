/**
 * What Pulumi uploads to the bootstrap bucket: the Spark job entry points the state
 * machine names (s3://bootstrap/spark/jobs/…) and the model the predict job loads
 * (s3://bootstrap/model/<version>/, the prefix the state machine passes as
 * --model-uri). A new model lands under a new prefix before the state machine points
 * at it, so a run never mixes files of two models. Listed from the repository at
 * deploy time: a new job file or a retrained model ships with the next `pulumi up`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MODEL_FILES, readModelVersion } from '../detector/model/manifest';

/** A file of the repository (path), or text made at deploy time (the device registry: infra/registryObject.ts). */
export type BootstrapObject = { key: string; contentType: string } & ({ path: string } | { text: string });

export const REPO_ROOT = join(__dirname, '..');
export const SPARK_JOB_KEY_PREFIX = 'spark/jobs/';

export const modelKeyPrefix = (version: string): string => `model/${version}/`;

export interface BootstrapContent {
  objects: BootstrapObject[];
  modelVersion: string;
}

export function bootstrapContent(root: string = REPO_ROOT): BootstrapContent {
  const jobsDir = join(root, 'spark', 'jobs');
  const modelDir = join(root, 'detector', 'model', 'artifacts');
  if (!existsSync(jobsDir)) throw new Error(`bootstrap content: ${jobsDir} does not exist (the Spark job files are deployed from there)`);
  const jobs = readdirSync(jobsDir)
    .filter((f) => f.endsWith('.py'))
    .sort()
    .map((f) => ({ key: `${SPARK_JOB_KEY_PREFIX}${f}`, path: join(jobsDir, f), contentType: 'text/x-python' }));
  if (jobs.length === 0) throw new Error(`bootstrap content: no .py job files in ${jobsDir}`);
  const modelVersion = readModelVersion(modelDir);
  const model = MODEL_FILES.map((f) => {
    const path = join(modelDir, f);
    if (!existsSync(path)) throw new Error(`bootstrap content: model file ${path} is missing; run \`npm run train\` or restore it from git`);
    return { key: `${modelKeyPrefix(modelVersion)}${f}`, path, contentType: f.endsWith('.json') ? 'application/json' : 'application/octet-stream' };
  });
  return { objects: [...jobs, ...model], modelVersion };
}
