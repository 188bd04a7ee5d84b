/**
 * The silver store of the deployed lookup: its role may read device_day/ objects but not
 * list the bucket, so S3 answers a missing key with 403. Read as missing there (a 404 for
 * the series), and as the failure it is everywhere else.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { ObjectMissing } from '../../functions/api/tableReader';
import { S3Store } from '../../functions/api/s3Store';

const denying = { send: async () => Promise.reject(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } })) } as unknown as S3Client;

describe('S3Store with deniedMeansMissing', () => {
  it('reads a 403 as a missing object: no text, ObjectMissing for a range', async () => {
    const silver = new S3Store(denying, 'silver', { deniedMeansMissing: true });
    await expect(silver.getText('device_day/_commits/date=2026-11-01.json')).resolves.toBeNull();
    await expect(silver.getRange('device_day/date=2026-11-01/run=r/part-00000.parquet', 0, 8)).rejects.toBeInstanceOf(ObjectMissing);
  });

  it('keeps a 403 a failure without it (gold, which the role may list)', async () => {
    const gold = new S3Store(denying, 'gold');
    await expect(gold.getText('gold_daily/_commits/date=2026-11-01.json')).rejects.toThrow('Access Denied');
  });
});
