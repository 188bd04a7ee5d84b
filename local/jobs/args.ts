/**
 * The jobs' command line, as the state machine passes it (EntryPointArguments):
 * the same flags for the Spark jobs and the local runners, so a renamed argument
 * fails in the tests, not on EMR.
 */
export const INGEST_FLAGS = ['--date', '--start-ms', '--end-ms', '--run-id', '--time-zone', '--bootstrap-servers', '--topic', '--silver-uri', '--registry-uri'] as const;
export const PREDICT_FLAGS = ['--date', '--run-id', '--time-zone', '--silver-uri', '--gold-uri', '--model-uri'] as const;

export function parseJobArgs<F extends string>(args: readonly string[], flags: readonly F[]): Record<F, string> {
  const out: Partial<Record<F, string>> = {};
  for (let i = 0; i < args.length; i += 2) {
    const flag = args[i] as F;
    if (!flags.includes(flag)) throw new Error(`job argument ${JSON.stringify(args[i])} is not one of ${flags.join(' ')}`);
    if (args[i + 1] === undefined) throw new Error(`job argument ${flag} has no value`);
    out[flag] = args[i + 1]!;
  }
  for (const f of flags) if (out[f] === undefined) throw new Error(`job argument ${f} is missing`);
  return out as Record<F, string>;
}

/** The bucket name of an s3://bucket[/prefix] URI. */
export function bucketOf(uri: string): string {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(\/.*)?$/.exec(uri);
  if (!m) throw new Error(`${JSON.stringify(uri)} is not an s3://bucket URI`);
  return m[1]!;
}

/** Bucket and key of an s3://bucket/key URI (the ingest's --registry-uri names one object). */
export function objectOf(uri: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/.exec(uri);
  if (!m || m[2]!.endsWith('/') || m[2]!.split('/').includes('..')) throw new Error(`${JSON.stringify(uri)} is not an s3://bucket/key URI of one object`);
  return { bucket: m[1]!, key: m[2]! };
}
