/**
 * A report of `npm run eval` read back from its file, for `--before` and `npm run eval:compare`:
 * a module of its own so that the comparison does not load the evaluation's predictor.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../commandLine';
import type { EvalReport } from './evaluate';

/** A report of npm run eval read back (--before, npm run eval:compare; `what`: how the error names it), or a clear error naming the file. */
export function readReport(path: string, what = '--before'): EvalReport {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${what} ${path}: cannot read it (${(e as Error).message})`);
  }
  try {
    const r = JSON.parse(text) as EvalReport;
    if (!r.plan || !Array.isArray(r.goals) || typeof r.modelVersion !== 'string') throw new Error('not an eval report');
    return r;
  } catch (e) {
    throw new UsageError(`${what} ${path}: not a report of npm run eval (${(e as Error).message})`);
  }
}
