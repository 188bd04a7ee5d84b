/** What the page shows, kept in the URL's query so that a link opens the same view. */

export type SortKey = 'device' | 'label' | 'since' | 'onset' | 'raised' | 'confidence';
export const SORT_KEYS: readonly SortKey[] = ['device', 'label', 'since', 'onset', 'raised', 'confidence'];

export interface ViewState {
  /** the day shown; null: the newest with predictions */
  date: string | null;
  /** a fault class or alarm group the fleet and alarms are filtered by; null: all */
  label: string | null;
  /** the device whose day is open */
  device: string | null;
  /** the window of the open device whose scalogram is shown (its index in the day) */
  window: number | null;
  sort: SortKey;
  descending: boolean;
}

export const DEFAULT_VIEW: ViewState = { date: null, label: null, device: null, window: null, sort: 'raised', descending: false };

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TOKEN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const INDEX = /^\d{1,4}$/;

/** The view in a query string; anything malformed falls back to the default (a mangled link still opens the page). */
export function parseView(search: string): ViewState {
  const p = new URLSearchParams(search);
  const date = p.get('date');
  const label = p.get('class');
  const device = p.get('device');
  const window = p.get('window');
  const [key, dir] = (p.get('sort') ?? '').split(':');
  const sort = SORT_KEYS.includes(key as SortKey) ? (key as SortKey) : DEFAULT_VIEW.sort;
  return {
    date: date && DATE.test(date) ? date : null,
    label: label && TOKEN.test(label) ? label : null,
    device: device && TOKEN.test(device) ? device : null,
    // a window belongs to a device's day: without a device it means nothing
    window: device && TOKEN.test(device) && window && INDEX.test(window) ? Number(window) : null,
    sort,
    descending: SORT_KEYS.includes(key as SortKey) ? dir === 'desc' : DEFAULT_VIEW.descending,
  };
}

/** The query string of a view; defaults are left out so that links stay short. */
export function formatView(v: ViewState): string {
  const p = new URLSearchParams();
  if (v.date) p.set('date', v.date);
  if (v.label) p.set('class', v.label);
  if (v.device) p.set('device', v.device);
  if (v.device && v.window !== null) p.set('window', String(v.window));
  if (v.sort !== DEFAULT_VIEW.sort || v.descending !== DEFAULT_VIEW.descending) p.set('sort', `${v.sort}:${v.descending ? 'desc' : 'asc'}`);
  const s = p.toString();
  return s ? `?${s}` : '';
}
