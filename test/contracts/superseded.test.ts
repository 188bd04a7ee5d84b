/**
 * The commit protocol's superseded runs: a rerun records the run it replaces and
 * keeps its files for the grace period; later commits of the table delete them.
 * Replays the scenario Python's publish replays too (test/python/test_tables.py).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataKey, supersededKey, TABLES_CONTRACT, type TableName } from '../../contracts';
import { commitPartition, sweepSuperseded, type ObjectWriter } from '../../contracts/partition';

interface Step {
  why: string;
  plant?: { key: string; text?: string; marker?: { date: string; runId: string; files: number; supersededAt: string; supersededBy: string } }[];
  commit: { date: string; runId: string; files: number; at: string };
  keys: string[];
  record?: { key: string; runId: string; supersededBy: string; supersededAt: string; files: string[] };
}
const scenario = JSON.parse(readFileSync(join(__dirname, '../fixtures/contracts/superseded-runs.json'), 'utf8')) as { table: TableName; graceMs: number; steps: Step[] };

function memoryWriter(objects = new Map<string, string | Uint8Array>()): ObjectWriter & { objects: Map<string, string | Uint8Array> } {
  return {
    objects,
    put: async (key, body) => void objects.set(key, body),
    delete: async (key) => void objects.delete(key),
    getText: async (key) => {
      const v = objects.get(key);
      return v === undefined ? null : typeof v === 'string' ? v : new TextDecoder().decode(v);
    },
    list: async (prefix) => [...objects.keys()].filter((k) => k.startsWith(prefix)).sort(),
  };
}

function partFiles(table: TableName, date: string, runId: string, n: number) {
  return Array.from({ length: n }, (_, i) => ({ key: dataKey(table, date, runId, i), rows: 1, bytes: 1 }));
}

/** Writes a run's one part file, then commits it. */
async function commitRun(w: ReturnType<typeof memoryWriter>, table: TableName, date: string, runId: string, atMs: number) {
  const files = partFiles(table, date, runId, 1);
  w.objects.set(files[0]!.key, 'x');
  await commitPartition(w, table, date, runId, files, { now: () => new Date(atMs) });
}

describe('superseded runs (shared scenario)', () => {
  const writer = memoryWriter();
  const { table, graceMs } = scenario;
  it.each(scenario.steps.map((s, i) => [i + 1, s.why, s] as const))('step %i: %s', async (_n, _why, step) => {
    for (const p of step.plant ?? []) {
      if (p.text !== undefined) writer.objects.set(p.key, p.text);
      if (p.marker) {
        const files = partFiles(table, p.marker.date, p.marker.runId, p.marker.files);
        const record = { table, date: p.marker.date, runId: p.marker.runId, files, rows: files.length, committedAt: p.marker.supersededAt, contractVersion: TABLES_CONTRACT.version, supersededAt: p.marker.supersededAt, supersededBy: p.marker.supersededBy };
        writer.objects.set(p.key, `${JSON.stringify(record)}\n`);
      }
    }
    const { date, runId, files, at } = step.commit;
    const parts = partFiles(table, date, runId, files);
    for (const f of parts) writer.objects.set(f.key, 'x');
    await commitPartition(writer, table, date, runId, parts, { now: () => new Date(at), supersededGraceMs: graceMs });
    expect([...writer.objects.keys()].sort()).toEqual(step.keys);
    if (step.record) {
      const record = JSON.parse((await writer.getText!(step.record.key))!) as Record<string, unknown> & { files: { key: string }[] };
      expect(record).toMatchObject({ table, runId: step.record.runId, supersededBy: step.record.supersededBy, supersededAt: step.record.supersededAt });
      expect(record.files.map((f) => f.key)).toEqual(step.record.files);
    }
  });
});

describe('commitPartition', () => {
  it('keeps the superseded run for the contract grace by default, and sweeps it with the next commit after that', async () => {
    const w = memoryWriter();
    const t0 = Date.UTC(2026, 10, 20);
    await commitRun(w, 'gold_window', '2026-11-19', 'a', t0);
    await commitRun(w, 'gold_window', '2026-11-19', 'b', t0 + 1);
    const grace = TABLES_CONTRACT.storage.supersededGraceMs;
    expect(grace).toBeGreaterThanOrEqual(24 * 3_600_000); // longer than any job may read its input (jobTimeoutMinutes ≤ 1440)
    await commitRun(w, 'gold_window', '2026-11-18', 'c', t0 + grace);
    expect(w.objects.has(dataKey('gold_window', '2026-11-19', 'a', 0))).toBe(true);
    await commitRun(w, 'gold_window', '2026-11-18', 'd', t0 + grace + 1);
    expect(w.objects.has(dataKey('gold_window', '2026-11-19', 'a', 0))).toBe(false);
    expect(w.objects.has(supersededKey('gold_window', '2026-11-19', 'a'))).toBe(false);
    // c was superseded by d just now: kept
    expect(w.objects.has(dataKey('gold_window', '2026-11-18', 'c', 0))).toBe(true);
  });

  it('sweeps only its own table', async () => {
    const w = memoryWriter();
    await commitRun(w, 'gold_daily', '2026-11-19', 'a', 0);
    await commitRun(w, 'gold_daily', '2026-11-19', 'b', 0);
    expect(await sweepSuperseded(w, 'gold_window', 10 ** 13, 0)).toEqual([]);
    expect(w.objects.has(dataKey('gold_daily', '2026-11-19', 'a', 0))).toBe(true);
    expect(await sweepSuperseded(w, 'gold_daily', 10 ** 13, 0)).toEqual(['a']);
  });

  it('never deletes a key outside the superseded run folder, even if a record names one', async () => {
    const w = memoryWriter();
    const outside = dataKey('gold_daily', '2026-11-18', 'keep', 0);
    w.objects.set(outside, 'x');
    const record = { table: 'gold_daily', date: '2026-11-19', runId: 'a', files: [{ key: `${dataKey('gold_daily', '2026-11-19', 'a', 0).replace(/part-.*$/, '')}../../date=2026-11-18/run=keep/part-00000.parquet`, rows: 1, bytes: 1 }], rows: 1, committedAt: '2026-11-19T00:00:00.000Z', contractVersion: TABLES_CONTRACT.version, supersededAt: '2026-11-19T00:00:00.000Z', supersededBy: 'b' };
    w.objects.set(supersededKey('gold_daily', '2026-11-19', 'a'), JSON.stringify(record));
    expect(await sweepSuperseded(w, 'gold_daily', 10 ** 13, 0)).toEqual([]);
    expect(w.objects.has(outside)).toBe(true);
  });
});
