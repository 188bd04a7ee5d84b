/**
 * Lambda code: each handler bundled with esbuild into one CommonJS file, dependencies
 * included (hyparquet is ESM-only and the AWS SDK version is ours, not the
 * runtime's). Bundled when the program runs, so `pulumi up` always ships the
 * handler in the working tree, and a test can load the very bundle and call it.
 */
import { buildSync } from 'esbuild';
import * as pulumi from '@pulumi/pulumi';
import { join } from 'node:path';
import { REPO_ROOT } from './bootstrapContent';

export const LAMBDA_RUNTIME = 'nodejs20.x';
export const LAMBDA_HANDLER = 'index.handler';

/** The handlers Lambda runs, by name: entry file relative to the repository. */
export const LAMBDA_ENTRIES = {
  api: 'functions/api/handler.ts',
  runWindow: 'functions/run-window/handler.ts',
} as const;
export type LambdaName = keyof typeof LAMBDA_ENTRIES;

export function bundleHandler(name: LambdaName): string {
  const result = buildSync({
    entryPoints: [join(REPO_ROOT, LAMBDA_ENTRIES[name])],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  if (result.errors.length > 0) throw new Error(`bundling ${name}: ${result.errors.map((e) => e.text).join('; ')}`);
  const file = result.outputFiles?.[0];
  if (!file) throw new Error(`bundling ${name}: esbuild produced no output`);
  return file.text;
}

export function lambdaCode(name: LambdaName): pulumi.asset.AssetArchive {
  return new pulumi.asset.AssetArchive({ 'index.js': new pulumi.asset.StringAsset(bundleHandler(name)) });
}
