/**
 * The plant's condition as the dashboard reads it, on a real local run: a June day with
 * clipping forced on the whole plant (the simulator's condition, as npm start --force
 * clipping) goes through the pipeline, and the API's /fleet spans (found again from
 * gold_plant_condition) are exactly the slots the predict job's plant gate set aside; the
 * scalogram of a window in the condition is served like any other.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHandler } from '../../functions/api/handler';
import { S3Store } from '../../functions/api/s3Store';
import { runLocalPipeline, type LocalRunResult } from '../../local/pipeline';
import { NO_CONDITIONS } from '../../detector/simulator/conditions';
import { WINDOW_MS } from '../../detector/windows';

const DATE = '2026-06-21';
const out = mkdtempSync(join(tmpdir(), 'local-plant-'));
let run: LocalRunResult;

afterAll(async () => {
  await run?.s3?.stop();
  rmSync(out, { recursive: true, force: true });
});

it("/fleet names the spans the predict job's plant gate set aside on a day of plant-wide clipping", async () => {
  run = await runLocalPipeline({ date: DATE, devices: 24, seed: 1, faultMix: { normal: 5, arc_fault: 1 }, timeZone: 'Europe/Madrid', out, partitions: 3, progress: false, log: () => undefined, keepS3: true, conditions: { ...NO_CONDITIONS, force: ['clipping'] } });
  const gated = run.predict.plantEventWindows;
  expect(gated.length).toBeGreaterThan(0);
  const api = createHandler({ store: new S3Store(run.s3!.client, 'gold'), silver: new S3Store(run.s3!.client, 'silver'), timeZone: 'Europe/Madrid', now: () => Date.UTC(2026, 6, 1) });
  const fleet = JSON.parse((await api({ rawPath: '/fleet', queryStringParameters: { date: DATE } })).body) as { plantEventWindows: number; plantConditions: { kind: string; start: string; end: string; windows: number }[] };
  // the spans, slot by slot: every slot the gate set aside, and no other
  const slots = fleet.plantConditions.flatMap((e) => Array.from({ length: e.windows }, (_, k) => Date.parse(e.start) + k * WINDOW_MS));
  expect(slots).toEqual(gated);
  for (const e of fleet.plantConditions) expect(Date.parse(e.end) - Date.parse(e.start)).toBe(e.windows * WINDOW_MS);
  // what they were: the converters' power limit, by most of the windows set aside
  const byKind = (k: string) => fleet.plantConditions.filter((e) => e.kind === k).reduce((n, e) => n + e.windows, 0);
  expect(byKind('power_limit')).toBeGreaterThan(gated.length / 2);
  expect(fleet.plantConditions).toEqual(run.predict.plantConditions.map((c) => expect.objectContaining({ kind: c.kind, windows: c.windows })));
  expect(fleet.plantEventWindows).toBeGreaterThan(0);
  expect(fleet.plantEventWindows).toBeLessThanOrEqual(gated.length);
  const device = [...run.predict.byDevice.keys()][0]!;
  const r = await api({ rawPath: `/devices/${device}/scalogram`, queryStringParameters: { date: DATE, window: new Date(gated[0]!).toISOString() } });
  expect(r.statusCode).toBe(200);
  expect(JSON.parse(r.body).window.start).toBe(new Date(gated[0]!).toISOString());
}, 240_000);
