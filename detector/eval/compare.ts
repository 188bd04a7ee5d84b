/**
 * npm run eval:compare -- BEFORE.json AFTER.json — two reports of `npm run eval` on the same
 * plan (another decision rule, a contract value, thresholds, a model), side by side: the
 * goals with the 95 % interval of their difference over the same arrays (eval/bootstrap.ts
 * pairedInterval), the classes and the conditions. What an experiment is judged by before it
 * is adopted: a change whose interval holds 0 is not told apart from none on that plan.
 */
import { runCommand, UsageError } from '../commandLine';
import { readReport } from './reportFile';
import { comparisonTables, planProblem } from './markdown';

const USAGE = 'usage: npm run eval:compare -- out/eval/report-<before>.json out/eval/report-<after>.json (two runs of npm run eval with the same plan flags)';

export function compareReports(beforePath: string, afterPath: string): string[] {
  const before = readReport(beforePath, 'before');
  const after = readReport(afterPath, 'after');
  for (const [path, r] of [[beforePath, before], [afterPath, after]] as const) if (!Array.isArray(r.outcomes)) throw new UsageError(`${path}: has no device-day outcomes to compare`);
  if (planProblem(before, after)) throw new UsageError(`${beforePath} and ${afterPath}: their plans (plants, dates, skies, days, devices, seeds, fault mix, conditions) differ, so their device-days are not the same arrays`);
  if (before.windows !== after.windows) throw new UsageError(`${beforePath} and ${afterPath}: one reads the model's windows, the other the truth's`);
  const run = (r: typeof before) => `model ${r.modelVersion}, decision ${r.decision.name}${r.scoring && r.scoring !== 'batch' ? `, scored ${r.scoring}` : ''}`;
  return [`Before: ${beforePath} (${run(before)}). After: ${afterPath} (${run(after)}). Same plan, ${after.counts.deviceDays.toLocaleString('en-US')} device-days.`, '', ...comparisonTables(before, after)];
}

async function main(): Promise<void> {
  const paths = process.argv.slice(2);
  if (paths.length !== 2) throw new UsageError(`two reports are needed, got ${paths.length}`);
  console.log(compareReports(paths[0]!, paths[1]!).join('\n'));
}

if (require.main === module) runCommand(main, USAGE);
