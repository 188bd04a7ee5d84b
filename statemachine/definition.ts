/**
 * The daily state machine (daily.asl.json) and its placeholders. Pulumi substitutes
 * the real ARNs, ids and settings; tests and the local pipeline substitute local
 * ones and run the very same definition. A placeholder that is a whole JSON value
 * ("${JobTimeoutMinutes}") takes the value's type; one inside a string is spliced
 * in as text, and inside an intrinsic function it must not need escaping.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const DEFINITION_PATH = join(__dirname, 'daily.asl.json');

export const PLACEHOLDERS = [
  'RunWindowFunctionArn',
  'EmrApplicationId',
  'EmrExecutionRoleArn',
  'BootstrapBucket',
  'SilverBucket',
  'GoldBucket',
  'LogsBucket',
  'KafkaBootstrapServers',
  'KafkaTopic',
  'PlantTimeZone',
  'JobTimeoutMinutes',
  'JobStateTimeoutSeconds',
  'IngestSparkSubmitParameters',
  'PredictSparkSubmitParameters',
  'ModelVersion',
  'NotificationTopicArn',
  'Region',
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type DefinitionValues = Record<Placeholder, string | number>;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function readTemplate(): Json {
  return JSON.parse(readFileSync(DEFINITION_PATH, 'utf8')) as Json;
}

const TOKEN = /\$\{([A-Za-z]+)\}/g;

function substitute(node: Json, values: DefinitionValues, used: Set<string>, path: string): Json {
  if (typeof node === 'string') {
    const whole = /^\$\{([A-Za-z]+)\}$/.exec(node);
    if (whole) {
      const name = whole[1]!;
      if (!(name in values)) throw new Error(`state machine: no value for placeholder \${${name}} at ${path}`);
      used.add(name);
      return values[name as Placeholder];
    }
    const intrinsic = node.startsWith('States.');
    return node.replace(TOKEN, (_m, name: string) => {
      if (!(name in values)) throw new Error(`state machine: no value for placeholder \${${name}} at ${path}`);
      used.add(name);
      const text = String(values[name as Placeholder]);
      if (intrinsic && /['{}\\]/.test(text)) throw new Error(`state machine: value of \${${name}} (${JSON.stringify(text)}) contains a character that intrinsic functions need escaped`);
      return text;
    });
  }
  if (Array.isArray(node)) return node.map((n, i) => substitute(n, values, used, `${path}[${i}]`));
  if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, substitute(v, values, used, `${path}.${k}`)]));
  return node;
}

/** The definition with every placeholder replaced; fails on a missing or unused value. */
export function renderDefinition(values: DefinitionValues): Record<string, unknown> {
  const used = new Set<string>();
  const out = substitute(readTemplate(), values, used, '$') as Record<string, unknown>;
  const unused = Object.keys(values).filter((k) => !used.has(k));
  if (unused.length) throw new Error(`state machine: values given for unknown placeholders ${unused.join(', ')}`);
  const left = JSON.stringify(out).match(TOKEN);
  if (left) throw new Error(`state machine: placeholders left unsubstituted: ${left.join(', ')}`);
  return out;
}
