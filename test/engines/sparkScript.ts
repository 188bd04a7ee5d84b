/**
 * A Python script run on PySpark (.venv-spark, the job modules importable as on EMR:
 * spark/ and spark/jobs/ on the path) that prints one `RESULT <json>` line: how the engine
 * tests hold a DataFrame expression or a job's Spark I/O that CI's pytest cannot run
 * without PySpark. Fails with the script's stderr when it does not exit cleanly or prints no result.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { sparkEnvironment } from '../../local/sparkJobs';

const REPO = join(__dirname, '..', '..');
const PREFIX = 'RESULT ';

export function runSparkScript<T>(script: string, args: readonly string[], timeoutMs: number): T {
  const { python } = sparkEnvironment();
  const r = spawnSync(python, ['-c', script, ...args], {
    cwd: REPO,
    env: { ...process.env, PYTHONPATH: [join(REPO, 'spark'), join(REPO, 'spark', 'jobs')].join(':') },
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  if (r.status !== 0) throw new Error(`spark script exited with ${r.status ?? r.signal}: ${r.stderr}`);
  const line = r.stdout.split('\n').find((l) => l.startsWith(PREFIX));
  if (line === undefined) throw new Error(`spark script printed no ${PREFIX.trim()} line:\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(line.slice(PREFIX.length)) as T;
}
