/**
 * npm run import:csv — your own field data through the daily pipeline, on this machine:
 *   npm run import:csv -- --file plant.csv --design design.json
 *   npm run import:csv -- --file plant.csv --registry registry.json --device-column inverter --time-zone Europe/Berlin --no-serve
 * The file's format and its checks: local/csvImport.ts and docs/simulator.md "Your own data".
 * Each plant-local day of the file is published to the local topic and run through the
 * real state machine with the local jobs (as npm start runs a simulated day); then the
 * API and the dashboard serve the last day, as npm start does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_DESIGN } from '../detector/simulator/plant';
import { readDesignFile } from '../detector/simulator/cli';
import { runCommand, UsageError } from '../detector/commandLine';
import { isTimeZone } from '../contracts';
import { parseRegistry, RegistryError } from '../contracts/registry';
import type { SilverDeviceRegistryRow } from '../contracts';
import { createHandler } from '../functions/api/handler';
import { S3Store } from '../functions/api/s3Store';
import { importCsv, type ImportResult } from './csvImport';
import { registryOfIds } from '../detector/simulator/registry';
import { serveApi } from './main';

const USAGE = `usage: npm run import:csv -- --file FILE.csv [--design FILE.json | --registry FILE.json] [--device-column deviceId]
                       [--time-zone Europe/Madrid] [--out out/import] [--port 8080] [--no-serve]
  FILE.csv: a header, then one reading per line: deviceId (or --device-column), timestamp (ISO 8601 with a zone, or epoch ms),
            voltage (V), current (A), temperature (module, °C), irradiance (W/m²); see docs/simulator.md "Your own data"
  --design:   the arrays' design(s), as npm start takes them (a plan's ranges count the file's arrays in id order); default: the default design
  --registry: the plant's device registry instead (contracts/registry.ts, {"devices": [...]}: each array's own row)`;

export function parseImportArgs(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      file: { type: 'string' },
      design: { type: 'string' },
      registry: { type: 'string' },
      'device-column': { type: 'string', default: 'deviceId' },
      'time-zone': { type: 'string', default: 'Europe/Madrid' },
      out: { type: 'string', default: join('out', 'import') },
      port: { type: 'string', default: '8080' },
      'no-serve': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return null;
  if (!values.file) throw new UsageError('--file: the CSV of readings is required');
  if (values.design !== undefined && values.registry !== undefined) throw new UsageError('--design and --registry: give one (a registry names each array\'s design itself)');
  const timeZone = values['time-zone']!;
  if (!isTimeZone(timeZone)) throw new UsageError(`--time-zone: ${JSON.stringify(timeZone)} is not an IANA time zone`);
  if (!/^\d+$/.test(values.port!) || Number(values.port) < 1 || Number(values.port) > 65535) throw new UsageError(`--port: ${JSON.stringify(values.port)} must be an integer in 1..65535`);
  let registry: (ids: readonly string[]) => SilverDeviceRegistryRow[];
  if (values.registry !== undefined) {
    const file = values.registry;
    let rows: SilverDeviceRegistryRow[];
    try {
      rows = parseRegistry(readFileSync(file, 'utf8'), file);
    } catch (err) {
      if (err instanceof RegistryError) throw new UsageError(`--registry: ${err.message}`);
      throw new UsageError(`--registry: cannot read ${file}: ${(err as Error).message}`);
    }
    registry = () => rows;
  } else {
    const designFile = values.design;
    // a plan's device ranges count the file's arrays, known once the file is read
    registry = (ids) => registryOfIds(ids, designFile === undefined ? DEFAULT_DESIGN : readDesignFile(designFile, Math.max(ids.length, 1)));
  }
  return { file: values.file, deviceColumn: values['device-column']!, timeZone, out: values.out!, port: Number(values.port), serve: !values['no-serve'], registry };
}

/** What the import did: the file's lines, the lines set aside, and each day's run. */
export function importSummaryLines(r: ImportResult): string[] {
  const lines: string[] = [];
  const q = r.read.quarantined.length;
  lines.push(`${r.read.lines.toLocaleString('en-US')} lines read: ${q} set aside before publishing (${q ? `${r.quarantineFile}; the first: ${r.read.quarantined[0]!.detail}` : 'none'}), ${r.read.refused.length} published for the ingest to set aside (the contract refuses them${r.read.refused.length ? `; the first: ${r.read.refused[0]!.detail}` : ''}).`);
  if (r.read.ignoredColumns.length) lines.push(`Columns not read: ${r.read.ignoredColumns.join(', ')}.`);
  for (const d of r.days) {
    const verdicts = new Map<string, number>();
    for (const v of d.predict.byDevice.values()) verdicts.set(v.verdict ?? 'none', (verdicts.get(v.verdict ?? 'none') ?? 0) + 1);
    const designs = new Map<string, number>();
    for (const v of d.predict.byDevice.values()) {
      const key = v.designSource === 'default' ? `${v.design} (default: not in the registry)` : v.design;
      designs.set(key, (designs.get(key) ?? 0) + 1);
    }
    const quarantined = Object.entries(d.ingest.quarantined).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
    lines.push(`${d.date}: ${d.devices} arrays, ${d.readingsPublished.toLocaleString('en-US')} readings published; the ingest set aside ${quarantined}; ${d.predict.predicted} of ${d.predict.windows} windows predicted; verdicts ${[...verdicts].map(([k, v]) => `${k} ${v}`).join(', ')}; designs ${[...designs].map(([k, v]) => `${k}: ${v}`).join(', ')}.`);
  }
  return lines;
}

async function main(): Promise<void> {
  const args = parseImportArgs(process.argv.slice(2));
  if (!args) {
    console.log(USAGE);
    return;
  }
  console.log(`PV fault detection — your readings through the daily pipeline, locally: ${args.file} (${args.timeZone}), output in ${args.out}/`);
  const r = await importCsv({ ...args, partitions: 6, progress: true, log: (l) => console.log(l), keepS3: args.serve });
  console.log(`\n${importSummaryLines(r).join('\n')}`);
  const last = r.days[r.days.length - 1]!;
  if (!args.serve || !last.s3) return;
  const s3 = last.s3;
  const first = [...last.predict.byDevice.entries()].find(([, d]) => d.verdict && d.verdict !== 'normal')?.[0] ?? [...last.predict.byDevice.keys()][0]!;
  await serveApi(createHandler({ store: new S3Store(s3.client, 'gold'), silver: new S3Store(s3.client, 'silver'), timeZone: args.timeZone }), { ...args, date: last.date }, first, () => s3.stop());
}

if (require.main === module) runCommand(main, USAGE);
