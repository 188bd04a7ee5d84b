/**
 * A warm API Lambda keeps its caches for hours: they are bounded in entries and in
 * estimated bytes, least recently used first out (4,000 lookups over distinct old
 * dates once kept +104 MB of heap).
 */
import { dataKey, TABLES_CONTRACT } from '../../contracts';
import { BoundedCache } from '../../functions/api/boundedCache';
import { createHandler } from '../../functions/api/handler';
import { CACHE_LIMITS, TableReader, type ObjectStore } from '../../functions/api/tableReader';

describe('BoundedCache', () => {
  it('evicts the least recently used entry beyond its entry limit', () => {
    const c = new BoundedCache<string, number>(2, 1000);
    c.set('a', 1, 10);
    c.set('b', 2, 10);
    expect(c.get('a')).toBe(1); // a is now the most recent
    c.set('c', 3, 10);
    expect([c.get('a'), c.get('b'), c.get('c')]).toEqual([1, undefined, 3]);
    expect(c.size).toBe(2);
    expect(c.bytes).toBe(20);
  });

  it('evicts by bytes, and keeps nothing larger than the whole budget', () => {
    const c = new BoundedCache<string, number>(100, 100);
    c.set('a', 1, 40);
    c.set('b', 2, 40);
    c.set('c', 3, 40);
    expect(c.get('a')).toBeUndefined();
    expect(c.bytes).toBe(80);
    c.set('huge', 4, 101);
    expect(c.get('huge')).toBeUndefined();
    expect(c.bytes).toBe(80);
  });

  it('resizes an entry once its size is known, only if it still holds that value', () => {
    const c = new BoundedCache<string, object>(10, 100);
    const v = {};
    c.set('a', v, 10);
    c.resize('a', {}, 90);
    expect(c.bytes).toBe(10);
    c.resize('a', v, 90);
    expect(c.bytes).toBe(90);
    c.set('b', {}, 20);
    expect(c.get('a')).toBeUndefined();
    expect(c.bytes).toBe(20);
  });

  it('refuses limits below one', () => {
    expect(() => new BoundedCache(0, 10)).toThrow(/maxEntries ≥ 1/);
  });
});

describe('TableReader caches', () => {
  /** A marker of `files` part files for any date asked: ~115 bytes of JSON a file. */
  function storeOfMarkers(files: number): ObjectStore {
    return {
      getText: async (key) => {
        const date = /date=(\d{4}-\d{2}-\d{2})\.json$/.exec(key)?.[1];
        if (!date || !key.startsWith('daily/_commits/')) return null;
        const list = Array.from({ length: files }, (_, i) => ({ key: dataKey('gold_daily', date, 'run-1', i), rows: 1, bytes: 1, minDeviceId: 'PV-000001', maxDeviceId: 'PV-000001' }));
        return JSON.stringify({ table: 'gold_daily', date, runId: 'run-1', files: list, rows: files, committedAt: '2026-11-20T00:00:00.000Z', contractVersion: TABLES_CONTRACT.version });
      },
      getRange: async () => {
        throw new Error('not used');
      },
      listKeys: async () => {
        throw new Error('not used');
      },
    };
  }

  const dates = (n: number) => Array.from({ length: n }, (_, i) => new Date(Date.UTC(2026, 10, 1) - i * 86_400_000).toISOString().slice(0, 10));

  it('keeps at most its entry limit of markers over 4,000 distinct dates', async () => {
    const reader = new TableReader(storeOfMarkers(1));
    for (const d of dates(4_000)) await reader.marker('gold_daily', d);
    const { markers } = reader.cacheSizes();
    expect(markers.entries).toBe(CACHE_LIMITS.markers.entries);
    expect(markers.bytes).toBeLessThanOrEqual(CACHE_LIMITS.markers.bytes);
    // the most recent dates are still cached: no second read
    expect(reader.stats.requests).toBe(4_000);
    await reader.marker('gold_daily', dates(4_000)[3_999]!);
    expect(reader.stats.requests).toBe(4_000);
  });

  it('keeps its byte budget when markers are large (230 files each, ~26 KB)', async () => {
    const reader = new TableReader(storeOfMarkers(230));
    for (const d of dates(1_000)) await reader.marker('gold_daily', d);
    const { markers } = reader.cacheSizes();
    expect(markers.bytes).toBeLessThanOrEqual(CACHE_LIMITS.markers.bytes);
    expect(markers.entries).toBeLessThan(1_000);
    expect(markers.entries).toBeGreaterThan(10);
  });

  it('stays bounded under 4,000 /status requests over distinct old dates, as a warm Lambda sees them', async () => {
    const reader = new TableReader(storeOfMarkers(0));
    const handler = createHandler({ store: storeOfMarkers(0), reader, timeZone: 'Europe/Madrid', now: () => Date.UTC(2026, 10, 20, 12) });
    for (const d of dates(4_000)) {
      const r = await handler({ rawPath: '/devices/PV-000001/status', queryStringParameters: { from: d, to: d } });
      expect(r.statusCode).toBe(404); // a day with no file holds no row of the device
    }
    const sizes = reader.cacheSizes();
    expect(sizes.markers.entries).toBeLessThanOrEqual(CACHE_LIMITS.markers.entries);
    expect(sizes.markers.bytes).toBeLessThanOrEqual(CACHE_LIMITS.markers.bytes);
  });
});
