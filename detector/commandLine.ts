/** What every command of the project does on bad usage (exit 2 with the usage) and on failure (exit 1). */
export class UsageError extends Error {}

function isUsageError(err: unknown): boolean {
  return err instanceof UsageError || Boolean((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'));
}

export function runCommand(main: () => Promise<void>, usage?: string): void {
  main().catch((err: unknown) => {
    if (isUsageError(err)) {
      console.error(usage ? `${(err as Error).message}\n${usage}` : (err as Error).message);
      process.exit(2);
    }
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}

/** An integer flag's value in 1..max, or a UsageError naming the flag. */
export function intFlag(name: string, text: string, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) throw new UsageError(`--${name}: ${JSON.stringify(text)} must be an integer in 1..${max.toLocaleString('en-US')}`);
  return Number(text);
}
