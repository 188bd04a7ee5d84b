/**
 * The table reader's device lookup against the whole-table read, on files whose
 * row groups cut devices in two (67 windows a device, 100 rows a group) and whose
 * files cut them too: the same rows for every device, one ranged GET per run of
 * adjacent row groups that may hold the device, nothing for an unknown device.
 */
import { TABLES, type TableName } from '../../contracts';
import { TableReader, type ObjectStore } from '../../functions/api/tableReader';
import { deviceName, FIXTURE_DATES, publishGold } from '../helpers/goldFixture';

const DEVICES = 23;
const DATE = FIXTURE_DATES[1]!;
const objects = new Map<string, Uint8Array | string>();
let ranges = 0;

const store: ObjectStore = {
  getText: async (key) => {
    const v = objects.get(key);
    return v === undefined ? null : typeof v === 'string' ? v : new TextDecoder().decode(v);
  },
  getRange: async (key, start, end) => {
    ranges++;
    const v = objects.get(key);
    if (!(v instanceof Uint8Array)) throw new Error(`no object ${key}`);
    return v.slice(start, end).buffer;
  },
  listKeys: async (prefix) => [...objects.keys()].filter((k) => k.startsWith(prefix)).sort(),
};

beforeAll(async () => {
  await publishGold({ put: async (key, body) => void objects.set(key, body) }, DEVICES, { rowGroupSize: 100, rowsPerFile: 500, dates: FIXTURE_DATES });
});

const columns = (table: TableName) => TABLES[table].columns.map((c) => c.name);

describe('TableReader.deviceRows', () => {
  it.each(['gold_window', 'gold_daily'] as const)('%s: every device gets exactly its rows of the whole table', async (table) => {
    const whole = await new TableReader(store).tableRows(table, DATE, columns(table));
    const reader = new TableReader(store);
    for (let i = 1; i <= DEVICES; i++) {
      const got = await reader.deviceRows(table, DATE, deviceName(i), columns(table));
      expect(got?.rows).toEqual(whole!.rows.filter((r) => r.deviceId === deviceName(i)));
      expect(got!.rows.length).toBe(table === 'gold_window' ? 67 : 1);
    }
  });

  it('reads a device cut across two row groups in one ranged GET once the footer is cached', async () => {
    const reader = new TableReader(store);
    await reader.deviceRows('gold_window', DATE, deviceName(1), columns('gold_window'));
    // device 2 holds rows 67..133: row groups 0 and 1 of the first file
    ranges = 0;
    const got = await reader.deviceRows('gold_window', DATE, deviceName(2), columns('gold_window'));
    expect(got!.rows.map((r) => r.windowIndex)).toEqual(Array.from({ length: 67 }, (_, i) => i));
    expect(ranges).toBe(1);
  });

  it('finds nothing, with no error, for a device inside a file range but not in the table', async () => {
    const reader = new TableReader(store);
    const got = await reader.deviceRows('gold_window', DATE, 'PV-000002a', columns('gold_window'));
    expect(got?.rows).toEqual([]);
  });
});

describe('TableReader.tableColumns', () => {
  it('gives the whole-table read as columns, across files and row groups, int64 as numbers and nulls kept', async () => {
    // 23 devices × 67 windows in files of 500 rows and groups of 100: the columns must stitch them in order
    const whole = await new TableReader(store).tableRows('gold_window', DATE, ['deviceId', 'startMs', 'status', 'p_normal']);
    const cols = await new TableReader(store).tableColumns('gold_window', DATE, ['deviceId', 'startMs', 'status', 'p_normal']);
    expect(cols!.marker.files.length).toBeGreaterThan(1);
    expect(cols!.marker.runId).toBe(whole!.marker.runId);
    for (const c of ['deviceId', 'startMs', 'status', 'p_normal']) expect(cols!.columns[c]).toEqual(whole!.rows.map((r) => r[c]));
    expect(typeof cols!.columns.startMs![0]).toBe('number');
    expect(cols!.columns.p_normal!.filter((v) => v === null).length).toBe(whole!.rows.filter((r) => r.status === 'skipped').length);
    expect(await new TableReader(store).tableColumns('gold_window', '2026-01-01', ['startMs'])).toBeNull();
  });
});
