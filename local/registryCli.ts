/**
 * npm run registry — a plant's device registry from its arrays' ids and design(s), for
 * `pv-fault:registryFile` (docs/deploy.md) or `npm run import:csv -- --registry`:
 *   npm run registry -- --ids PV-000001,PV-000002 --design cdte-4x4-fs-6385 --out registry.json
 *   npm run registry -- --ids-file arrays.txt --design plant.json
 * A registry row carries what the design's single-diode model makes at STC, which the
 * model's per-unit inputs divide by (contracts/detector.json perUnit): writing it by hand
 * would mean solving that model, so this computes every row as the simulator and Pulumi do
 * (detector/simulator/registry.ts); test/local/registryCli.test.ts reads it back with the ingest's parser.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEVICE_ID_PATTERN, type SilverDeviceRegistryRow } from '../contracts';
import { DESIGN_NAMES, parseDesign } from '../contracts/design';
import { registryText } from '../contracts/registry';
import { runCommand, UsageError } from '../detector/commandLine';
import { readDesignFile } from '../detector/simulator/cli';
import { DEFAULT_DESIGN } from '../detector/simulator/plant';
import { registryOfIds } from '../detector/simulator/registry';

const USAGE = `usage: npm run registry -- (--ids ID,ID,... | --ids-file FILE) [--design NAME|FILE.json] [--out registry.json]
  --ids, --ids-file: the arrays' ids (a file: one per line, blank lines and # comments ignored)
  --design: a named design of contracts/designs.json, or a design file as npm start takes it (a plan's ranges count the arrays in id order); default: the default design
  --out: where to write {"devices": [...]}; default: standard output`;

export interface RegistryArgs {
  ids: string[];
  design: string | undefined;
  out: string | undefined;
}

export function parseRegistryArgs(argv: string[]): RegistryArgs | null {
  const { values } = parseArgs({
    args: argv,
    options: { ids: { type: 'string' }, 'ids-file': { type: 'string' }, design: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', default: false } },
    strict: true,
  });
  if (values.help) return null;
  if ((values.ids === undefined) === (values['ids-file'] === undefined)) throw new UsageError('--ids or --ids-file: give one');
  let ids: string[];
  if (values.ids !== undefined) ids = values.ids.split(',').map((s) => s.trim());
  else {
    const file = values['ids-file']!;
    if (!existsSync(file)) throw new UsageError(`--ids-file: ${file} does not exist`);
    ids = readFileSync(file, 'utf8').split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== '' && !s.startsWith('#'));
  }
  if (ids.length === 0) throw new UsageError('--ids: no array id given');
  const bad = ids.find((id) => !DEVICE_ID_PATTERN.test(id));
  if (bad !== undefined) throw new UsageError(`--ids: ${JSON.stringify(bad)} does not match ${DEVICE_ID_PATTERN.source} (the reading contract's deviceId)`);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice !== undefined) throw new UsageError(`--ids: ${twice} is listed twice`);
  return { ids, design: values.design, out: values.out };
}

/** The registry rows of the arrays: every array of a named design, or of a design file's design(s) over the arrays in id order. */
export function registryRows(a: RegistryArgs): SilverDeviceRegistryRow[] {
  const design = (() => {
    if (a.design === undefined) return DEFAULT_DESIGN;
    if (DESIGN_NAMES.includes(a.design)) return parseDesign(a.design, '--design');
    if (!existsSync(a.design)) throw new UsageError(`--design: ${JSON.stringify(a.design)} is neither a design of contracts/designs.json (${DESIGN_NAMES.join(', ')}) nor a file`);
    return readDesignFile(a.design, a.ids.length);
  })();
  return registryOfIds(a.ids, design);
}

async function main(): Promise<void> {
  const args = parseRegistryArgs(process.argv.slice(2));
  if (!args) {
    console.log(USAGE);
    return;
  }
  const text = registryText(registryRows(args));
  if (args.out === undefined) process.stdout.write(text);
  else {
    writeFileSync(args.out, text);
    console.error(`wrote ${args.out}: ${args.ids.length} arrays`);
  }
}

if (require.main === module) runCommand(main, USAGE);
