/**
 * The container's code: the service and its health-check command bundled by
 * esbuild into two CommonJS files with every dependency inside, so the runtime
 * image holds no node_modules (no Pulumi, TensorFlow or dev tools) and no
 * TypeScript runner. The Dockerfile's build stage runs this; a test runs the
 * same bundle outside the repository.
 *   node -r @swc-node/register functions/producer/bundle.ts <outdir>
 */
import { build } from 'esbuild';
import { join, resolve } from 'node:path';

const HERE = __dirname;

export const PRODUCER_BUNDLE_ENTRIES = {
  main: join(HERE, 'main.ts'),
  healthcheck: join(HERE, 'healthcheck.ts'),
} as const;

export async function bundleProducer(outdir: string): Promise<string[]> {
  const result = await build({
    entryPoints: PRODUCER_BUNDLE_ENTRIES,
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // modbus-serial loads serialport (native bindings) only for serial lines; TCP never needs it
    external: ['serialport'],
    sourcemap: true,
    legalComments: 'linked',
    logLevel: 'silent',
    metafile: true,
  });
  if (result.errors.length > 0) throw new Error(`bundling the producer: ${result.errors.map((e) => e.text).join('; ')}`);
  return Object.keys(result.metafile.outputs);
}

if (require.main === module) {
  const outdir = resolve(process.argv[2] ?? 'out/producer');
  bundleProducer(outdir).then(
    (files) => console.log(`producer bundle in ${outdir}: ${files.length} files`),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
