import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { RawConfig } from '../../infra/config';

export const REPO_ROOT = join(__dirname, '..', '..');

interface ProjectFile {
  name: string;
  runtime: { name: string; options?: Record<string, unknown> } | string;
  main?: string;
  config?: Record<string, { default?: unknown }>;
}

export function readProjectFile(): ProjectFile {
  return parse(readFileSync(join(REPO_ROOT, 'Pulumi.yaml'), 'utf8')) as ProjectFile;
}

/** The config Pulumi hands the program for a stack: project defaults overlaid by the stack file. */
export function readStackConfig(stage: string): RawConfig {
  const defaults = Object.fromEntries(Object.entries(readProjectFile().config ?? {}).map(([k, v]) => [k, v.default]));
  const stack = parse(readFileSync(join(REPO_ROOT, `Pulumi.${stage}.yaml`), 'utf8')) as { config: Record<string, unknown> };
  return { ...defaults, ...stack.config };
}
