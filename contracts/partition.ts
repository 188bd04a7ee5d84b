/**
 * Publishing a date partition by the contract's commit protocol: sort the rows,
 * write the run's Parquet part files under date=…/run=…/, then write the commit
 * marker in one PUT. Readers only ever see complete runs.
 */
import { writeTableParquet } from './parquet';
import { TABLES_CONTRACT } from './generated';
import { commitKey, dataKey, TABLES, type CommitMarker, type TableName } from './tableSpecs';

export interface ObjectWriter {
  put(key: string, body: Uint8Array | string, contentType: string): Promise<void>;
}

export interface PublishOptions {
  /** rows per Parquet file (the API prunes files by their device range) */
  rowsPerFile?: number;
  /** rows per row group (the API prunes row groups by device statistics) */
  rowGroupSize?: number;
  inputRunId?: string;
  now?: () => Date;
}

function compare(sortBy: readonly string[]) {
  return (a: Record<string, unknown>, b: Record<string, unknown>): number => {
    for (const k of sortBy) {
      const x = a[k] as string | number;
      const y = b[k] as string | number;
      if (x < y) return -1;
      if (x > y) return 1;
    }
    return 0;
  };
}

export async function publishPartition(writer: ObjectWriter, table: TableName, date: string, runId: string, rows: readonly object[], options: PublishOptions = {}): Promise<CommitMarker> {
  const sorted = [...(rows as readonly Record<string, unknown>[])].sort(compare(TABLES[table].sortBy));
  const perFile = options.rowsPerFile ?? 1_000_000;
  const files: CommitMarker['files'] = [];
  for (let start = 0, part = 0; start < sorted.length || part === 0; start += perFile, part++) {
    const chunk = sorted.slice(start, start + perFile);
    const bytes = new Uint8Array(writeTableParquet(table, chunk, options.rowGroupSize));
    const key = dataKey(table, date, runId, part);
    await writer.put(key, bytes, 'application/vnd.apache.parquet');
    files.push({
      key,
      rows: chunk.length,
      bytes: bytes.byteLength,
      ...(chunk.length ? { minDeviceId: chunk[0]!.deviceId as string, maxDeviceId: chunk[chunk.length - 1]!.deviceId as string } : {}),
    });
    if (sorted.length === 0) break;
  }
  const marker: CommitMarker = {
    table,
    date,
    runId,
    files,
    rows: sorted.length,
    committedAt: (options.now?.() ?? new Date()).toISOString(),
    contractVersion: TABLES_CONTRACT.version,
    ...(options.inputRunId ? { inputRunId: options.inputRunId } : {}),
  };
  await writer.put(commitKey(table, date), `${JSON.stringify(marker)}\n`, 'application/json');
  return marker;
}
