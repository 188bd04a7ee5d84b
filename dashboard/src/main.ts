/** The operator's dashboard: the view state (in the URL) → what is fetched from the API and drawn. */
import 'uplot/dist/uPlot.min.css';
import '../style.css';
import { ApiError, type Api, type Days, type Fleet, type Predictions } from './api';
import { loadConfig } from './config';
import { connect } from './transport';
import { renderAlarmTable } from './alarmTable';
import { labelText, STATE_COLORS } from './colors';
import { drawDeviceDay, type DeviceDayCharts } from './deviceDay';
import { fleetGrid } from './fleetGrid';
import { alarmRows, gridOrder, inPlantEvent, isAlarm, openSinceText, plantConditionText, windowChoices } from './fleetModel';
import { drawScalograms } from './scalogramView';
import { formatView, parseView, type ViewState } from './viewState';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** set by start(): after a sign-in the hosted UI's return restores the operator's URL first */
let view: ViewState = parseView(location.search);
let api: Api;
let days: Days | null = null;
let fleet: Fleet | null = null;
let charts: DeviceDayCharts | null = null;
/** the device request in flight: a slower answer for a device no longer open is dropped */
let deviceToken = 0;
/** the open device's predictions (the window list and the scalogram's window come from them) */
let predictions: Predictions | null = null;
let scalogramToken = 0;

const grid = fleetGrid($<HTMLCanvasElement>('fleet-grid'), $('grid-status'), (id) => go({ device: id, window: null }, true));

function time(iso: string): string {
  if (!iso || !days) return '';
  return new Date(iso).toLocaleTimeString('en-GB', { timeZone: days.timeZone, hour: '2-digit', minute: '2-digit' });
}

function showError(where: HTMLElement, err: unknown): void {
  where.textContent = err instanceof ApiError ? `The API answered ${err.status}: ${err.message}` : `Could not reach the API: ${(err as Error).message}`;
}

/** Changes the view: the URL first (push: a step the Back button undoes), then what it shows. */
function go(change: Partial<ViewState>, push = false): void {
  view = { ...view, ...change };
  const url = `${location.pathname}${formatView(view)}`;
  if (push) history.pushState(null, '', url);
  else history.replaceState(null, '', url);
  void render(change);
}

window.addEventListener('popstate', () => {
  view = parseView(location.search);
  void render({ date: view.date, device: view.device, window: view.window });
});

function fillFilter(labels: Fleet['labels']): void {
  const select = $<HTMLSelectElement>('class-filter');
  const classes = [...new Set(Object.values(labels).flat())];
  const groups = Object.keys(labels).filter((l) => !classes.includes(l));
  const option = (value: string, text: string) => Object.assign(document.createElement('option'), { value, textContent: text });
  select.replaceChildren(option('', 'all alarms'), ...classes.map((c) => option(c, labelText(c))), ...groups.map((g) => option(g, `${labelText(g)} (${labels[g]!.map(labelText).join(' or ')})`)));
  select.value = view.label ?? '';
}

function renderFleet(): void {
  if (!fleet) return;
  const condition = plantConditionText(fleet, time);
  $('plant-condition').hidden = condition === null;
  $('plant-condition-text').textContent = condition ?? '';
  const order = gridOrder(fleet, view.label);
  grid.show(fleet, order, view.device);
  const alarms = fleet.devices.verdict.filter(isAlarm).length;
  const noData = fleet.devices.verdict.filter((v) => v === null).length;
  $('fleet-summary').textContent = `${fleet.count} devices on ${fleet.date}: ${alarms} in alarm, ${fleet.count - alarms - noData} normal${noData ? `, ${noData} without predictions` : ''}.${view.label ? ` Showing the ${order.length} alarms naming ${labelText(view.label)}.` : ''}`;
  const day = fleet.date;
  renderAlarmTable($<HTMLTableElement>('alarm-table'), $('alarm-note'), alarmRows(fleet, view.label, view.sort, view.descending), view.sort, view.descending, fleet.labels, time, (iso) => openSinceText(iso, day, days?.timeZone ?? 'UTC'), {
    sort: (key) => go({ sort: key, descending: key === view.sort ? !view.descending : false }),
    deviceHref: (id) => `${location.pathname}${formatView({ ...view, device: id, window: null })}`,
    open: (id) => go({ device: id, window: null }, true),
  });
}

async function renderDevice(): Promise<void> {
  const panel = $('device');
  const body = $('device-body');
  charts?.destroy();
  charts = null;
  predictions = null;
  $('scalogram-body').replaceChildren();
  $('scalogram-status').textContent = '';
  if (!view.device || !view.date) {
    panel.hidden = true;
    return;
  }
  const token = ++deviceToken;
  const { device, date } = view;
  panel.hidden = false;
  $('device-title').textContent = `${device} on ${date}`;
  $('device-alarm').textContent = 'Loading…';
  body.replaceChildren();
  try {
    const [p, s] = await Promise.all([api.predictions(device, date), api.series(device, date).catch((e: unknown) => (e instanceof ApiError && e.status === 404 ? null : Promise.reject(e)))]);
    if (token !== deviceToken) return;
    const a = p.summary.alarm;
    const d = p.summary.design;
    // a device the registry lacks is judged as the default design: say so, the operator can register it
    const design = d ? ` Array design ${d.name}${d.default ? ' (the default: the device registry has no row for it)' : ''}.` : '';
    $('device-alarm').textContent = a
      ? `Alarm: ${labelText(a.label)}${a.candidates.length > 1 ? ` (${a.candidates.map(labelText).join(' or ')})` : ''}, confidence ${a.confidence.toFixed(2)}; onset ${time(a.onset)}, raised ${time(a.raised)}${a.raisedAs && a.labelled ? ` as ${labelText(a.raisedAs)}, named ${time(a.labelled)}` : ''} (${days?.timeZone})${a.openSince && a.openSince !== a.onset ? `, open since ${openSinceText(a.openSince, date, days?.timeZone ?? 'UTC')} (the fault goes on from an earlier day)` : ''}; judged against ${a.judgedAgainst === 'own-baseline' ? 'its own history' : 'the fleet (no history yet)'}. ${p.summary.predicted} of ${p.summary.windows} windows predicted by ${p.summary.modelVersion}.${design}`
      : `No alarm: ${p.summary.verdict === null ? 'nothing was predicted this day' : 'normal'}. ${p.summary.predicted} of ${p.summary.windows} windows predicted by ${p.summary.modelVersion}.${design}`;
    predictions = p;
    charts = drawDeviceDay(body, p, s, days?.timeZone ?? 'UTC', { plantEvents: fleet?.date === date ? (fleet.plantConditions ?? []) : [], chosen: view.window, pick: (index) => go({ window: index }) });
    fillWindows(p);
    await renderScalogram();
  } catch (err) {
    if (token === deviceToken) showError($('device-alarm'), err);
  }
}

/** The window list: the day's predicted windows (the others had no model input), marked where the alarm began and where the plant's condition was. */
function fillWindows(p: Predictions): void {
  const select = $<HTMLSelectElement>('window-select');
  const option = (value: string, text: string) => Object.assign(document.createElement('option'), { value, textContent: text });
  const choices = windowChoices(p, fleet?.date === p.date ? (fleet.plantConditions ?? []) : [], time);
  select.replaceChildren(option('', choices.length ? 'Choose a window…' : 'No window was predicted this day'), ...choices.map((c) => option(String(c.index), c.text)));
  select.disabled = choices.length === 0;
  select.value = view.window === null ? '' : String(view.window);
}

/** The chosen window's scalogram (view.window), or a prompt to choose one. */
async function renderScalogram(): Promise<void> {
  const token = ++scalogramToken;
  const body = $('scalogram-body');
  const status = $('scalogram-status');
  charts?.choose(view.window);
  const select = $<HTMLSelectElement>('window-select');
  select.value = view.window === null ? '' : String(view.window);
  if (!predictions || !view.device || !view.date) return;
  if (view.window === null) {
    body.replaceChildren();
    status.textContent = predictions.summary.alarm ? "Choose a window to see its scalogram: the list marks where the alarm's evidence began." : 'Choose a window to see its scalogram.';
    return;
  }
  const { device, date, window } = view;
  // another window's images must not stand under this one's name while it loads
  body.replaceChildren();
  status.textContent = `Loading window ${window}…`;
  try {
    const sc = await api.scalogram(device, date, window);
    if (token !== scalogramToken) return;
    const w = sc.window;
    const setAside = fleet?.date === date && inPlantEvent(w.start, (fleet.plantConditions ?? [])) ? " This window is in the plant's condition: set aside, it counts towards no alarm." : '';
    status.textContent = `Window ${w.index} (${time(w.start)}–${time(w.end)}): the model said ${labelText(w.label)}${w.confidence === null ? '' : `, probability ${w.confidence.toFixed(2)}`}.${setAside}`;
    drawScalograms(body, sc, time);
  } catch (err) {
    if (token !== scalogramToken) return;
    body.replaceChildren();
    showError(status, err);
  }
}

async function render(change: Partial<ViewState>): Promise<void> {
  try {
    if (!days) {
      days = await api.days();
      const select = $<HTMLSelectElement>('date');
      select.replaceChildren(...days.days.map((d) => Object.assign(document.createElement('option'), { value: d, textContent: d })));
      if (days.days.length === 0) {
        $('fleet-summary').textContent = 'No day has predictions yet: the pipeline has written no gold. Run it (npm start locally; in AWS the daily schedule or npm run rerun) and reload.';
        return;
      }
    }
    // a day without gold (a link to a day the pipeline never produced, or one since removed): say so, then show the newest
    const asked = view.date;
    const note = $('day-note');
    note.hidden = !asked || days.days.includes(asked);
    if (asked && !days.days.includes(asked)) note.textContent = `No predictions for ${asked}: the pipeline has produced no gold for that day (not run yet, or no data). Showing the newest day with predictions, ${days.days[0]}.`;
    if (!view.date || !days.days.includes(view.date)) view = { ...view, date: days.days[0] ?? null };
    $<HTMLSelectElement>('date').value = view.date ?? '';
    if (!fleet || fleet.date !== view.date) {
      $('fleet-summary').textContent = `Loading the fleet of ${view.date}…`;
      fleet = await api.fleet(view.date!);
      fillFilter(fleet.labels);
    }
    renderFleet();
    markFirstPaint();
    if ('device' in change || 'date' in change) await renderDevice();
    else if ('window' in change) await renderScalogram();
  } catch (err) {
    showError($('fleet-summary'), err);
  }
}

let painted = false;
/** The first fleet on screen, for bench/dashboard.ts: the frame after the grid was drawn has been painted by the second animation frame. */
function markFirstPaint(): void {
  if (painted) return;
  painted = true;
  requestAnimationFrame(() => requestAnimationFrame(() => performance.mark('fleet-drawn')));
}

function legend(): void {
  const ul = $('legend');
  ul.replaceChildren(
    ...Object.entries(STATE_COLORS).map(([state, color]) => {
      const li = document.createElement('li');
      const s = document.createElement('span');
      s.className = 'swatch';
      s.style.background = color;
      li.append(s, state === 'none' ? 'no data' : labelText(state));
      return li;
    }),
  );
}

$<HTMLSelectElement>('date').addEventListener('change', (e) => go({ date: (e.target as HTMLSelectElement).value, device: null, window: null }, true));
$<HTMLSelectElement>('window-select').addEventListener('change', (e) => {
  const v = (e.target as HTMLSelectElement).value;
  go({ window: v === '' ? null : Number(v) });
});
$<HTMLSelectElement>('class-filter').addEventListener('change', (e) => go({ label: (e.target as HTMLSelectElement).value || null }));
// the selects act on change; Enter in the form must not reload the page (no inline handler: the CSP allows none)
$('controls').addEventListener('submit', (e) => e.preventDefault());
$('device-close').addEventListener('click', () => go({ device: null, window: null }, true));
legend();

/** config.json → the API client (signed only when it says so) → the view in the URL. */
async function start(): Promise<void> {
  try {
    const config = await loadConfig();
    api = await connect(config, async () => (await import('./auth')).signIn);
    const auth = config.auth;
    if (auth) {
      const out = Object.assign(document.createElement('button'), { type: 'button', id: 'sign-out', textContent: 'Sign out' });
      out.addEventListener('click', () => void import('./auth').then((a) => a.signOut(auth)));
      document.querySelector('header')!.append(out);
    }
  } catch (err) {
    $('fleet-summary').textContent = `Could not start: ${(err as Error).message}`;
    return;
  }
  view = parseView(location.search);
  await render({ date: view.date, device: view.device, window: view.window });
}
void start();
