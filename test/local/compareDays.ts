/**
 * node -r @swc-node/register test/local/compareDays.ts <outA> <outB> <date>
 *
 * Two `npm start --out` directories of the same day and seed must hold the same
 * results: the topic's records of each device byte for byte (devices interleave in
 * the order the simulation workers finish them, which varies), and every committed table
 * (silver, quarantine, gold) row for row and value for value — except that a
 * quarantined reading's Kafka offset is compared by the record it points to. For checking that a
 * change to the local pipeline leaves its results alone; prints the first
 * differences and exits 1 if there are any.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { TABLES, commitKey, parseCommitMarker, type TableName } from '../../contracts';
import { LocalTopic } from '../../local/topic';

const [a, b, date] = process.argv.slice(2);
if (!a || !b || !date) {
  console.error('usage: compareDays.ts <outA> <outB> <date>');
  process.exit(2);
}

function s3Object(out: string, bucket: string, key: string): Buffer {
  return readFileSync(join(out, 's3', bucket, `${key}._S3rver_object`));
}

async function tableRows(out: string, table: TableName): Promise<{ rows: Record<string, unknown>[]; files: number }> {
  const bucket = TABLES[table].bucket;
  const marker = parseCommitMarker(s3Object(out, bucket, commitKey(table, date!)).toString('utf8'), { table, date: date! });
  const rows: Record<string, unknown>[] = [];
  for (const f of marker.files) {
    const bytes = s3Object(out, bucket, f.key);
    const file = new Uint8Array(bytes).buffer;
    for (const r of await parquetReadObjects({ file })) rows.push(r);
  }
  return { rows, files: marker.files.length };
}

function same(x: unknown, y: unknown): boolean {
  if (typeof x === 'number' && typeof y === 'number') return Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y));
  if (Array.isArray(x) && Array.isArray(y)) return x.length === y.length && x.every((v, i) => same(v, y[i]));
  return x === y;
}

/** Replaces each row's kafkaOffset by the hex of the record at that offset (offsets depend on the interleaving). */
function resolveOffsets(out: string, rows: Record<string, unknown>[]): void {
  const wanted = new Map<number, Map<number, Record<string, unknown>[]>>();
  for (const r of rows) {
    const p = Number(r.kafkaPartition);
    const o = Number(r.kafkaOffset);
    if (!wanted.has(p)) wanted.set(p, new Map());
    const m = wanted.get(p)!;
    m.set(o, [...(m.get(o) ?? []), r]);
  }
  for (const [p, m] of wanted) {
    let offset = 0;
    LocalTopic.scanRaw(join(out, 'topic'), p, (buf, _ts, keyStart, _keyLength, valueStart, valueLength) => {
      for (const r of m.get(offset++) ?? []) r.kafkaOffset = buf.toString('hex', keyStart - 14, valueStart + valueLength);
    });
  }
}

async function main(): Promise<void> {
  let differences = 0;
  const report = (line: string) => {
    if (differences++ < 20) console.log(line);
  };
  const partitions = (out: string) => (existsSync(join(out, 'topic')) ? readdirSync(join(out, 'topic')).flatMap((f) => /^partition-(\d+)\.log$/.exec(f)?.[1] ?? []).map(Number) : []);
  const byKey = (out: string, partition: number) => {
    const parts = new Map<string, Buffer[]>();
    LocalTopic.scanRaw(join(out, 'topic'), partition, (buf, _ts, keyStart, keyLength, valueStart, valueLength) => {
      const key = buf.toString('utf8', keyStart, keyStart + keyLength);
      if (!parts.has(key)) parts.set(key, []);
      parts.get(key)!.push(Buffer.from(buf.subarray(keyStart - 14, valueStart + valueLength)));
    });
    return new Map([...parts].map(([k, v]) => [k, Buffer.concat(v)]));
  };
  const inA = new Set(partitions(a!));
  const inB = new Set(partitions(b!));
  for (const p of [...new Set([...inA, ...inB])].sort((x, y) => x - y)) {
    if (!inA.has(p) || !inB.has(p)) {
      report(`topic partition ${p}: missing on one side`);
      continue;
    }
    const [x, y] = [byKey(a!, p), byKey(b!, p)];
    if (x.size !== y.size) report(`topic partition ${p}: ${x.size} keys against ${y.size}`);
    for (const [k, v] of x) if (!y.get(k)?.equals(v)) report(`topic partition ${p}: the records of ${k} differ`);
    console.log(`topic partition ${p}: ${x.size} keys compared`);
  }
  for (const table of Object.keys(TABLES) as TableName[]) {
    const [x, y] = await Promise.all([tableRows(a!, table), tableRows(b!, table)]);
    if (x.rows.length !== y.rows.length) report(`${table}: ${x.rows.length} rows against ${y.rows.length}`);
    if (table === 'silver_quarantine') {
      resolveOffsets(a!, x.rows);
      resolveOffsets(b!, y.rows);
    }
    const columns = TABLES[table].columns.map((c) => c.name);
    let rowDiffs = 0;
    for (let i = 0; i < Math.min(x.rows.length, y.rows.length); i++) {
      for (const c of columns) {
        if (!same(x.rows[i]![c], y.rows[i]![c])) {
          rowDiffs++;
          report(`${table} row ${i} (${String(x.rows[i]!.deviceId)}) ${c}: ${String(x.rows[i]![c]).slice(0, 80)} against ${String(y.rows[i]![c]).slice(0, 80)}`);
        }
      }
    }
    console.log(`${table}: ${x.rows.length} rows in ${x.files} file(s) against ${y.rows.length} in ${y.files}; ${rowDiffs} differing values`);
  }
  console.log(differences === 0 ? 'identical' : `${differences} differences`);
  process.exit(differences === 0 ? 0 : 1);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
