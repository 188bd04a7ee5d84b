/** The dashboard's view in the URL, and the fleet's order and filter: pure functions, tested without a browser. */
import { DEFAULT_VIEW, formatView, parseView, type ViewState } from '../../dashboard/src/viewState';
import { alarmRows, gridOrder, matchesFilter, openSinceText } from '../../dashboard/src/fleetModel';
import type { Fleet } from '../../dashboard/src/api';

describe('view state in the URL', () => {
  it.each<ViewState>([
    DEFAULT_VIEW,
    { date: '2026-11-18', label: 'string_blocked', device: 'PV-000007', window: null, sort: 'confidence', descending: true },
    { date: '2026-11-18', label: null, device: 'PV-000007', window: 31, sort: 'raised', descending: false },
    { date: null, label: 'arc_fault', device: null, window: null, sort: 'raised', descending: true },
  ])('round-trips %j', (v) => {
    expect(parseView(formatView(v))).toEqual(v);
  });

  it('leaves defaults out of the link and falls back to them for anything malformed', () => {
    expect(formatView(DEFAULT_VIEW)).toBe('');
    expect(parseView('?date=2026-13-xx&class=<script>&device=../etc&sort=evil:desc')).toEqual(DEFAULT_VIEW);
    expect(parseView('?sort=device')).toEqual({ ...DEFAULT_VIEW, sort: 'device', descending: false });
    expect(parseView('?device=PV-000001&window=3x')).toEqual({ ...DEFAULT_VIEW, device: 'PV-000001' });
  });

  it("keeps the chosen window only with its device: a window is one of a device's day", () => {
    expect(formatView({ ...DEFAULT_VIEW, date: '2026-11-18', device: 'PV-000007', window: 0 })).toBe('?date=2026-11-18&device=PV-000007&window=0');
    expect(parseView('?window=12')).toEqual(DEFAULT_VIEW);
    expect(formatView({ ...DEFAULT_VIEW, window: 12 })).toBe('');
  });
});

describe('the fleet model', () => {
  const fleet: Fleet = {
    date: '2026-11-19',
    runId: 'r',
    count: 5,
    plantEventWindows: 0,
    plantConditions: [],
    labels: { line_line: ['line_line'], open_circuit: ['open_circuit'], arc_fault: ['arc_fault'], string_blocked: ['line_line', 'open_circuit'] },
    devices: {
      deviceId: ['A', 'B', 'C', 'D', 'E'],
      verdict: ['normal', 'string_blocked', null, 'arc_fault', 'open_circuit'],
      onset: [null, '2026-11-19T09:00:00.000Z', null, '2026-11-19T08:00:00.000Z', '2026-11-19T10:00:00.000Z'],
      raised: [null, '2026-11-19T09:30:00.000Z', null, '2026-11-19T11:00:00.000Z', '2026-11-19T10:30:00.000Z'],
      // B continues an alarm open since the 17th; E's since was not recorded
      openSince: [null, '2026-11-17T14:10:00.000Z', null, '2026-11-19T08:00:00.000Z', null],
      confidence: [null, 0.7, null, 0.95, 0.8],
      judgedAgainst: ['fleet', 'fleet', 'fleet', 'own-baseline', 'fleet'],
      predictedWindows: [27, 27, 0, 27, 27],
    },
  };

  it('puts alarms first in label order, then normal, then devices without data', () => {
    expect(gridOrder(fleet, null).map((k) => fleet.devices.deviceId[k])).toEqual(['E', 'D', 'B', 'A', 'C']);
  });

  it('filters by class as /faults does: a class matches the groups that stand for it', () => {
    expect(matchesFilter('string_blocked', 'open_circuit', fleet.labels)).toBe(true);
    expect(matchesFilter('string_blocked', 'arc_fault', fleet.labels)).toBe(false);
    expect(matchesFilter('normal', 'open_circuit', fleet.labels)).toBe(false);
    expect(gridOrder(fleet, 'open_circuit').map((k) => fleet.devices.deviceId[k])).toEqual(['E', 'B']);
    expect(gridOrder(fleet, 'string_blocked').map((k) => fleet.devices.deviceId[k])).toEqual(['B']);
  });

  it('sorts the alarm list by any column, either way', () => {
    expect(alarmRows(fleet, null, 'raised', false).map((r) => r.deviceId)).toEqual(['B', 'E', 'D']);
    expect(alarmRows(fleet, null, 'onset', false).map((r) => r.deviceId)).toEqual(['D', 'B', 'E']);
    expect(alarmRows(fleet, null, 'confidence', true).map((r) => r.deviceId)).toEqual(['D', 'E', 'B']);
    expect(alarmRows(fleet, null, 'label', false).map((r) => r.label)).toEqual(['arc_fault', 'open_circuit', 'string_blocked']);
    // longest open first; one whose since was not recorded last
    expect(alarmRows(fleet, null, 'since', false).map((r) => r.deviceId)).toEqual(['B', 'D', 'E']);
  });

  it('says since when an alarm is open: the time on the day shown, the date and time from an earlier day, a dash when not recorded', () => {
    expect(openSinceText('2026-11-19T08:00:00.000Z', '2026-11-19', 'Europe/Madrid')).toBe('09:00');
    expect(openSinceText('2026-11-17T14:10:00.000Z', '2026-11-19', 'Europe/Madrid')).toBe('2026-11-17 15:10');
    // the plant's day, not UTC's: 23:30 UTC on the 18th is the 19th in Madrid
    expect(openSinceText('2026-11-18T23:30:00.000Z', '2026-11-19', 'Europe/Madrid')).toBe('00:30');
    expect(openSinceText(null, '2026-11-19', 'Europe/Madrid')).toBe('–');
    expect(openSinceText(undefined, '2026-11-19', 'Europe/Madrid')).toBe('–');
  });
});
