/**
 * End to end on this machine: simulated plant → local topic → the real state machine
 * → local ingest and predict jobs → gold in a local S3 API → the prediction API.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { commitKey, supersededKey, TABLES } from '../../contracts';
import { createHandler } from '../../functions/api/handler';
import { S3Store } from '../../functions/api/s3Store';
import { TableReader } from '../../functions/api/tableReader';
import { startLocalS3 } from '../../local/localS3';
import { runLocalPipeline, type LocalRunResult } from '../../local/pipeline';
import { summaryLines } from '../../local/main';
import { RUN_LOCK_FILE } from '../../local/runLock';
import { LocalTopic, murmur2 } from '../../local/topic';
import { isAlarmLabel } from '../../detector/alarms';

const out = mkdtempSync(join(tmpdir(), 'local-run-'));
const options = { date: '2026-06-20', devices: 8, seed: 5, faultMix: { normal: 1, arc_fault: 1 }, timeZone: 'Europe/Madrid', out, partitions: 3, progress: false, log: () => undefined, keepS3: true };
let first: LocalRunResult;

afterAll(async () => {
  await first?.s3?.stop();
});

describe('the daily pipeline, locally', () => {
  it('runs a small day through the whole path and the API answers for an injected fault', async () => {
    first = await runLocalPipeline(options);
    expect(first.ingest.devices).toBe(8);
    expect(first.predict.devices).toBe(8);
    expect(first.readingsPublished).toBeGreaterThan(8 * 4000);
    expect(first.notifications.map((n) => n.Subject)).toEqual(['PV faults: 2026-06-20 processed']);
    // the device registry beside the run: every device with its design (the default one here)
    const registry = JSON.parse(readFileSync(join(out, 'device_registry.json'), 'utf8')) as { devices: { deviceId: string; design: string; modulesPerString: number; strings: number }[] };
    expect(registry.devices.map((d) => d.deviceId)).toEqual(first.outcomes.map((d) => d.deviceId));
    expect(registry.devices.every((d) => d.design === 'legacy-5x3-cs5p-220m' && d.modulesPerString === 5 && d.strings === 3)).toBe(true);
    // the same registry read by the ingest from the bootstrap bucket, its snapshot in silver, every device's design in gold
    expect(first.ingest.registryDevices).toBe(8);
    expect(first.predict.registry).toEqual({ devices: 8, defaulted: 0 });
    const silverRegistry = await new TableReader(new S3Store(first.s3!.client, 'silver')).tableRows('silver_device_registry', '2026-06-20', ['deviceId', 'design']);
    expect(silverRegistry!.rows.map((d) => d.deviceId)).toEqual(registry.devices.map((d) => d.deviceId));
    expect(summaryLines(first)).toContain("Designs: 8 arrays in the day's device registry (legacy-5x3-cs5p-220m: 8).");

    const api = createHandler({ store: new S3Store(first.s3!.client, 'gold'), timeZone: 'Europe/Madrid' });
    const arc = first.outcomes.find((d) => d.injected === 'arc_fault')!;
    expect(arc).toBeDefined();
    const r = await api({ rawPath: `/devices/${arc.deviceId}/predictions`, queryStringParameters: { date: '2026-06-20' } });
    expect(r.statusCode).toBe(200);
    const body = JSON.parse(r.body) as { summary: { verdict: string; alarm: { label: string; raised: string } | null }; windows: { label: string | null; status: string }[] };
    expect(body.windows).toHaveLength(67);
    // the API reports what the predict job concluded, and the injected arc shows in its windows
    expect(body.summary.verdict).toBe(arc.verdict);
    expect(body.summary.alarm?.raised ?? null).toBe(arc.alarmRaisedMs === null ? null : new Date(arc.alarmRaisedMs).toISOString());
    // the run judges each device-day by the evaluation's definitions: an arc through a June day is visible
    expect(arc.judged).toMatchObject({ fault: 'arc_fault', visible: true });
    expect(body.windows.filter((w) => w.label === 'arc_fault').length).toBeGreaterThan(0);
    const faults = await api({ rawPath: '/faults', queryStringParameters: { date: '2026-06-20' } });
    expect(faults.statusCode).toBe(200);
  }, 180_000);

  it('a rerun of the day replaces its output: new run, same rows, the old run kept for the grace period under a superseded record', async () => {
    const store = new S3Store(first.s3!.client, 'gold');
    const before = JSON.parse((await store.getText(commitKey('gold_window', '2026-06-20')))!) as { runId: string; rows: number; files: { key: string }[] };
    await first.s3!.stop();
    const second = await runLocalPipeline({ ...options, keepS3: true });
    try {
      const store2 = new S3Store(second.s3!.client, 'gold');
      const after = JSON.parse((await store2.getText(commitKey('gold_window', '2026-06-20')))!) as { runId: string; rows: number; inputRunId: string };
      expect(after.runId).not.toBe(before.runId);
      expect(after.rows).toBe(before.rows);
      const listed = await second.s3!.client.send(new ListObjectsV2Command({ Bucket: 'gold', Prefix: 'window/date=2026-06-20/' }));
      const keys = (listed.Contents ?? []).map((o) => o.Key!);
      // readers holding the old marker still find its files: they go once the grace is over (test/contracts/superseded.test.ts)
      expect(keys.filter((k) => !k.includes(`run=${before.runId}/`)).every((k) => k.includes(`run=${after.runId}/`))).toBe(true);
      for (const f of before.files) expect(keys).toContain(f.key);
      const record = JSON.parse((await store2.getText(supersededKey('gold_window', '2026-06-20', before.runId)))!) as { runId: string; supersededBy: string; files: unknown[] };
      expect(record).toMatchObject({ runId: before.runId, supersededBy: after.runId, files: before.files });
    } finally {
      await second.s3!.stop();
      first.s3 = null;
    }
  }, 180_000);

  it("the next day judges each array against its own baseline from the first day's healthy verdicts, and its rerun reads the same", async () => {
    const next = { ...options, date: '2026-06-21', firstDate: '2026-06-20', keepS3: true };
    const day2 = await runLocalPipeline(next);
    let gains: Record<string, unknown>[];
    try {
      const reader = new TableReader(new S3Store(day2.s3!.client, 'gold'));
      const baseline = (await reader.tableRows('device_baseline', '2026-06-20', ['deviceId', 'gain', 'dayVerdict', 'dayRatio']))!.rows;
      expect(baseline).toHaveLength(8);
      const withGain = baseline.filter((r) => r.gain !== null).map((r) => r.deviceId);
      // healthy on the first day (verdict normal, enough bright windows): those have a baseline
      expect(withGain).toEqual(baseline.filter((r) => r.dayVerdict === 'normal' && r.dayRatio !== null).map((r) => r.deviceId));
      expect(withGain.length).toBeGreaterThan(0);
      // each first-day alarm is carried into the second day (contracts/detector.json alarms.carry)
      const alarmed = baseline.filter((r) => isAlarmLabel(r.dayVerdict as string | null)).length;
      expect(day2.predict.baseline).toMatchObject({ readFrom: '2026-06-20', devicesWithHistory: withGain.length, written: 8, alarmsCarried: alarmed });
      // since when each alarm is open: a first day's since its onset; a second day's since its own onset, or, continuing the
      // first day's alarm of the same label, since that one's (contracts/tables.json gold_daily alarmSinceMs)
      const alarmColumns = ['deviceId', 'verdict', 'alarmOnsetMs', 'alarmSinceMs'];
      const first = new Map((await reader.tableRows('gold_daily', '2026-06-20', alarmColumns))!.rows.map((r) => [r.deviceId, r]));
      for (const r of first.values()) expect(r.alarmSinceMs).toBe(r.alarmOnsetMs);
      let continued = 0;
      for (const r of (await reader.tableRows('gold_daily', '2026-06-21', alarmColumns))!.rows) {
        if (!isAlarmLabel(r.verdict as string | null)) expect(r.alarmSinceMs).toBeNull();
        else if (r.alarmSinceMs !== r.alarmOnsetMs) {
          expect([r.verdict, r.alarmSinceMs]).toEqual([first.get(r.deviceId)!.verdict, first.get(r.deviceId)!.alarmOnsetMs]);
          continued++;
        }
      }
      expect(day2.predict.baseline.alarmsContinued).toBe(continued);
      gains = (await reader.tableRows('gold_daily', '2026-06-21', ['deviceId', 'baselineDays', 'baselineGain']))!.rows;
      for (const r of gains) {
        const b = baseline.find((x) => x.deviceId === r.deviceId)!;
        expect(r.baselineGain).toBe(b.gain);
        expect(r.baselineDays).toBe(b.gain === null ? 0 : 1);
      }
    } finally {
      await day2.s3!.stop();
    }
    const rerun = await runLocalPipeline(next);
    try {
      const again = (await new TableReader(new S3Store(rerun.s3!.client, 'gold')).tableRows('gold_daily', '2026-06-21', ['deviceId', 'baselineDays', 'baselineGain']))!.rows;
      expect(again).toEqual(gains);
      expect(new Map([...rerun.predict.byDevice].map(([id, d]) => [id, d.verdict]))).toEqual(new Map([...day2.predict.byDevice].map(([id, d]) => [id, d.verdict])));
    } finally {
      await rerun.s3!.stop();
    }
  }, 240_000);
});

describe('a run that finds no valid reading of its day', () => {
  /** The day's commit markers and one device's predictions, as the store in `out` holds them now. */
  async function committedDay(): Promise<{ markers: (string | null)[]; predictions: { statusCode: number; body: unknown } }> {
    const s3 = await startLocalS3(['silver', 'gold'], join(out, 's3'));
    try {
      const markers = await Promise.all((['silver_device_day', 'silver_quarantine', 'gold_window', 'gold_daily'] as const).map((t) => new S3Store(s3.client, TABLES[t].bucket).getText(commitKey(t, options.date))));
      const api = createHandler({ store: new S3Store(s3.client, 'gold'), timeZone: options.timeZone });
      const r = await api({ rawPath: `/devices/${first.outcomes[0]!.deviceId}/predictions`, queryStringParameters: { date: options.date } });
      return { markers, predictions: { statusCode: r.statusCode, body: JSON.parse(r.body) as unknown } };
    } finally {
      await s3.stop();
    }
  }

  it('fails, sends the failure notification naming the refusal, and the committed day stays and is served', async () => {
    const before = await committedDay();
    expect(before.markers.every((m) => m !== null)).toBe(true);
    expect(before.predictions.statusCode).toBe(200);

    // the day's readings never reach the topic: as when another run reset it, or the topic expired the day
    const publish = jest.spyOn(LocalTopic.prototype, 'appendFramed').mockImplementation(() => undefined);
    const log: string[] = [];
    try {
      await expect(runLocalPipeline({ ...options, keepS3: true, log: (l) => log.push(l) })).rejects.toThrow('the daily run failed');
    } finally {
      publish.mockRestore();
    }
    const sns = log.filter((l) => l.startsWith('[SNS]'));
    expect(sns).toHaveLength(1);
    expect(sns[0]).toMatch(/^\[SNS\] PV faults: run FAILED at IngestData\n/);
    expect(sns[0]).toContain('Error: States.TaskFailed');
    expect(sns[0]).toContain(`ingest of ${options.date} refused: 0 valid readings on the day's grid (0 records read, 0 quarantined)`);
    expect(existsSync(join(out, RUN_LOCK_FILE))).toBe(false);

    expect(await committedDay()).toEqual(before);
  }, 180_000);
});

describe('two local runs into one --out', () => {
  it('the second is refused, naming the run that holds the folder; the first completes and lets go of it', async () => {
    const shared = mkdtempSync(join(tmpdir(), 'local-two-runs-'));
    const small = { ...options, devices: 2, out: shared, keepS3: false };
    const a = runLocalPipeline(small);
    const b = runLocalPipeline({ ...small, date: '2026-06-21' });
    await expect(b).rejects.toThrow(`${shared} is in use by another local run (pid ${process.pid}, day 2026-06-20, started `);
    const done = await a;
    expect(done.notifications.map((n) => n.Subject)).toEqual(['PV faults: 2026-06-20 processed']);
    expect(done.ingest.devices).toBe(2);
    expect(done.ingest.observed).toBeGreaterThan(2 * 4000);
    expect(existsSync(join(shared, RUN_LOCK_FILE))).toBe(false);
  }, 180_000);
});

describe('local topic', () => {
  it("partitions keys with Kafka's murmur2 (the Java client's test vectors)", () => {
    expect(murmur2(Buffer.from('21'))).toBe(-973932308);
    expect(murmur2(Buffer.from('foobar'))).toBe(-790332482);
    expect(murmur2(Buffer.from('a-little-bit-long-string'))).toBe(-985981536);
    expect(murmur2(Buffer.from('a-little-bit-longer-string'))).toBe(-1486304829);
    expect(murmur2(Buffer.from('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'))).toBe(-58897971);
  });
});
