/** The day's alarms as a table sortable by its column headers (buttons, with aria-sort on the header cells). */
import type { AlarmRow } from './fleetModel';
import { labelText, stateColor } from './colors';
import { SORT_KEYS, type SortKey } from './viewState';

const HEADINGS: Record<SortKey, string> = { device: 'Device', label: 'Alarm', since: 'Open since', onset: 'Onset', raised: 'Raised', confidence: 'Confidence' };

/** Rows beyond this are left out (with a note): a table of thousands helps nobody, and the filter narrows it. */
export const MAX_ROWS = 500;

export interface AlarmTableHandlers {
  sort(key: SortKey): void;
  /** the link of a device's view, and what following it does */
  deviceHref(deviceId: string): string;
  open(deviceId: string): void;
}

/** `since`: an alarm's openSince as the table says it (fleetModel.ts openSinceText). */
export function renderAlarmTable(table: HTMLTableElement, note: HTMLElement, rows: AlarmRow[], sort: SortKey, descending: boolean, labels: Record<string, string[]>, time: (iso: string) => string, since: (iso: string) => string, h: AlarmTableHandlers): void {
  const head = document.createElement('tr');
  for (const key of SORT_KEYS) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.setAttribute('aria-sort', key === sort ? (descending ? 'descending' : 'ascending') : 'none');
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = HEADINGS[key] + (key === sort ? (descending ? ' ▼' : ' ▲') : '');
    b.addEventListener('click', () => h.sort(key));
    th.append(b);
    head.append(th);
  }
  const judged = document.createElement('th');
  judged.scope = 'col';
  judged.textContent = 'Judged against';
  // a plant of several designs: which kind of array is alarmed (and whether the registry named it or it was assumed)
  const design = document.createElement('th');
  design.scope = 'col';
  design.textContent = 'Design';
  head.append(judged, design);
  const thead = document.createElement('thead');
  thead.append(head);

  const tbody = document.createElement('tbody');
  for (const r of rows.slice(0, MAX_ROWS)) {
    const tr = document.createElement('tr');
    const link = document.createElement('a');
    link.href = h.deviceHref(r.deviceId);
    link.textContent = r.deviceId;
    link.addEventListener('click', (e) => {
      if (e.ctrlKey || e.metaKey || e.shiftKey) return;
      e.preventDefault();
      h.open(r.deviceId);
    });
    const device = document.createElement('td');
    device.append(link);
    const label = document.createElement('td');
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = stateColor(r.label);
    const classes = labels[r.label] ?? [r.label];
    // a group names the classes it stands for: the channels cannot tell them apart
    label.append(swatch, classes.length > 1 ? `${labelText(r.label)} (${classes.map(labelText).join(' or ')})` : labelText(r.label));
    const cells = [since(r.openSince), time(r.onset), time(r.raised), r.confidence.toFixed(2), r.judgedAgainst === 'own-baseline' ? 'own history' : 'fleet', r.design === '' ? '–' : r.designDefault ? `${r.design} (default: not in the registry)` : r.design].map((t) => {
      const td = document.createElement('td');
      td.textContent = t;
      return td;
    });
    tr.append(device, label, ...cells);
    tbody.append(tr);
  }
  table.replaceChildren(thead, tbody);
  note.textContent = rows.length === 0 ? 'No alarms under this filter.' : rows.length > MAX_ROWS ? `${rows.length} alarms; the first ${MAX_ROWS} by this order are listed (narrow by class to see the rest).` : `${rows.length} alarm${rows.length === 1 ? '' : 's'}.`;
}
