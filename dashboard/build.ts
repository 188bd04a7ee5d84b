/**
 * The dashboard bundled with esbuild: index.html, app.js (TypeScript and uPlot, an ES
 * module), app.css and chunks/ (code loaded on demand: the sign-in and SigV4 signing,
 * which only the deployed page loads), in memory. npm start serves them
 * (local/apiServer.ts) with the local config.json; the stack uploads them with its own
 * (infra/webDashboard.ts); bench/dashboard.ts measures them. Built at start-up (or at
 * `pulumi up`) rather than committed: it takes well under a second.
 */
import { build, buildSync, type BuildOptions, type BuildResult } from 'esbuild';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface StaticFile {
  contentType: string;
  body: Uint8Array;
}

/** The page's files by URL path ("/", "/app.js", "/chunks/auth-XXXX.js", …). */
export type DashboardFiles = Map<string, StaticFile>;

const OUT = '/dashboard';

const OPTIONS: BuildOptions = {
  entryPoints: { app: join(__dirname, 'src', 'main.ts') },
  bundle: true,
  minify: true,
  format: 'esm',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  target: ['es2020'],
  platform: 'browser',
  outdir: OUT,
  write: false,
  legalComments: 'none',
  logLevel: 'silent',
};

/** Content types of what the bundle holds. */
export function contentType(path: string): string {
  if (path.endsWith('.css')) return 'text/css; charset=utf-8';
  if (path.endsWith('.js')) return 'text/javascript; charset=utf-8';
  if (path.endsWith('.json')) return 'application/json';
  return 'text/html; charset=utf-8';
}

function collect(result: BuildResult): DashboardFiles {
  const files: DashboardFiles = new Map();
  for (const f of result.outputFiles ?? []) {
    const path = f.path.slice(OUT.length);
    files.set(path, { contentType: contentType(path), body: f.contents });
  }
  if (!files.has('/app.js') || !files.has('/app.css')) throw new Error(`dashboard build: expected app.js and app.css, got ${[...files.keys()].join(', ')}`);
  files.set('/', { contentType: contentType('/index.html'), body: readFileSync(join(__dirname, 'index.html')) });
  return files;
}

export async function buildDashboard(): Promise<DashboardFiles> {
  return collect(await build(OPTIONS));
}

/** The same, synchronously: for the Pulumi program, which declares one object per file. */
export function buildDashboardSync(): DashboardFiles {
  return collect(buildSync(OPTIONS));
}
