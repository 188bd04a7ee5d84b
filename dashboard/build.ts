/**
 * The dashboard bundled with esbuild: index.html, app.js (TypeScript and uPlot) and
 * app.css, in memory. npm start serves them (local/apiServer.ts); bench/dashboard.ts
 * measures them. Built at start-up rather than committed: it takes well under a second.
 */
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface StaticFile {
  contentType: string;
  body: Uint8Array;
}

/** The page's files by URL path. */
export type DashboardFiles = Map<string, StaticFile>;

export async function buildDashboard(): Promise<DashboardFiles> {
  const result = await build({
    entryPoints: { app: join(__dirname, 'src', 'main.ts') },
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2020'],
    outdir: '/dashboard',
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const files: DashboardFiles = new Map();
  for (const f of result.outputFiles) {
    const name = f.path.slice(f.path.lastIndexOf('/') + 1);
    files.set(`/${name}`, { contentType: name.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8', body: f.contents });
  }
  if (!files.has('/app.js') || !files.has('/app.css')) throw new Error(`dashboard build: expected app.js and app.css, got ${[...files.keys()].join(', ')}`);
  files.set('/', { contentType: 'text/html; charset=utf-8', body: readFileSync(join(__dirname, 'index.html')) });
  return files;
}
