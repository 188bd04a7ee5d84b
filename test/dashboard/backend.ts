/**
 * What both browser tests start from: Debian's Chromium, the screenshot folder, and the
 * fixture's gold and silver in a local S3 behind the API. Gold names the committed model
 * and the silver run it read, as the predict job's gold does, so the API rebuilds a
 * window's scalogram with the normalisation it carries.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createHandler } from '../../functions/api/handler';
import { S3Store } from '../../functions/api/s3Store';
import { startLocalS3, type LocalS3 } from '../../local/localS3';
import { readModelVersion } from '../../detector/model/manifest';
import { publishGold, publishSilver } from '../helpers/goldFixture';

export const CHROMIUM = '/usr/bin/chromium';
export const SHOTS = join(__dirname, '..', '..', 'out', 'dashboard');

export async function dashboardBackend(devices: number, now: number): Promise<{ s3: LocalS3; api: ReturnType<typeof createHandler> }> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install Debian's (apt-get install -y chromium), as .ci/run does`);
  mkdirSync(SHOTS, { recursive: true });
  const s3 = await startLocalS3(['gold', 'silver']);
  await publishGold(s3.writer('gold'), devices, { modelVersion: readModelVersion(), inputRunId: (day) => `run-${day}` });
  await publishSilver(s3.writer('silver'), devices);
  return { s3, api: createHandler({ store: new S3Store(s3.client, 'gold'), silver: new S3Store(s3.client, 'silver'), timeZone: 'Europe/Madrid', now: () => now }) };
}
