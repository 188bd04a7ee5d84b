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
