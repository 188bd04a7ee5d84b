/** Readings → silver row: grid alignment, duplicates, gap filling, counts (contracts/tables.json grid). */
import { QUALITY } from '../../contracts';
import { buildSilverRow, MAX_FILL_SLOTS, slotOf } from '../../detector/silver';

const day = { startMs: Date.UTC(2026, 10, 18, 23), endMs: Date.UTC(2026, 10, 19, 23) };
const at = (slot: number, jitterMs = 0) => day.startMs + slot * 20_000 + jitterMs;

function readings(rows: [number, number][]): Parameters<typeof buildSilverRow>[2] {
  return {
    count: rows.length,
    timestamp: rows.map((r) => r[0]),
    voltage: rows.map((r) => r[1]),
    current: rows.map((r) => r[1] / 10),
    temperature: rows.map(() => 20),
    irradiance: rows.map((r) => r[1] * 4),
  };
}

describe('silver device-day', () => {
  it('puts each reading in its nearest slot and keeps a 4320-slot grid', () => {
    const row = buildSilverRow('PV-1', day, readings([[at(0, 900), 10], [at(1, -800), 11], [at(4319, 9_000), 12]]), { received: 3, quarantined: 0 });
    expect(row.samples).toBe(4320);
    expect(row.voltage).toHaveLength(4320);
    expect(row.voltage[0]).toBe(10);
    expect(row.voltage[1]).toBe(11);
    expect(row.voltage[4319]).toBe(12);
    expect(row.observed).toBe(3);
  });

  it('drops readings whose nearest slot is outside the day', () => {
    expect(slotOf(day.startMs - 10_001, day)).toBe(-1);
    expect(slotOf(day.startMs - 9_999, day)).toBe(0);
    expect(slotOf(day.endMs - 10_001, day)).toBe(4319);
    expect(slotOf(day.endMs - 9_999, day)).toBe(-1);
  });

  it('keeps the reading nearest the slot time; ties go to the earliest arrival; the rest are duplicates', () => {
    const row = buildSilverRow('PV-1', day, readings([[at(5, 3000), 1], [at(5, -1000), 2], [at(5, 1000), 3], [at(7), 4], [at(7), 5]]), { received: 5, quarantined: 0 });
    expect(row.voltage[5]).toBe(2);
    expect(row.voltage[7]).toBe(4);
    expect(row.duplicates).toBe(3);
  });

  it(`fills interior gaps of up to ${MAX_FILL_SLOTS} slots linearly and leaves longer ones and the edges missing`, () => {
    const rows: [number, number][] = [];
    for (let s = 2; s < 30; s++) if (!(s >= 10 && s < 13) && !(s >= 20 && s < 24)) rows.push([at(s), s]);
    const row = buildSilverRow('PV-1', day, readings(rows), { received: rows.length, quarantined: 0 });
    expect(Array.from(row.voltage.slice(9, 14))).toEqual([9, 10, 11, 12, 13]);
    expect(Array.from(row.quality.slice(9, 14))).toEqual([QUALITY.observed, QUALITY.filled, QUALITY.filled, QUALITY.filled, QUALITY.observed]);
    expect(Array.from(row.quality.slice(20, 24))).toEqual([QUALITY.missing, QUALITY.missing, QUALITY.missing, QUALITY.missing]);
    expect(Number.isNaN(row.voltage[21]!)).toBe(true);
    expect(row.quality[0]).toBe(QUALITY.missing); // the day's edge is never filled
    expect(row.filled).toBe(3);
    expect(row.observed + row.filled + row.missing).toBe(4320);
  });

  it('handles an empty day and a DST day', () => {
    const empty = buildSilverRow('PV-1', day, readings([]), { received: 4, quarantined: 4 });
    expect(empty.missing).toBe(4320);
    expect(empty.quarantined).toBe(4);
    const short = buildSilverRow('PV-1', { startMs: day.startMs, endMs: day.startMs + 23 * 3_600_000 }, readings([]), { received: 0, quarantined: 0 });
    expect(short.samples).toBe(4140);
  });
});
