/**
 * The dashboard in a real browser (Debian's Chromium, headless, driven by
 * playwright-core) against the API on loopback over s3rver holding the gold and
 * silver fixtures: the fleet of a day, a faulty device's alarm and charts, sorting,
 * the class filter, a shared link, the Back button, keyboard navigation, and the
 * accessibility basics (labels, contrast, visible focus). Screenshots go to
 * out/dashboard/ for review.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildDashboard } from '../../dashboard/build';
import { alarmRows, gridOrder } from '../../dashboard/src/fleetModel';
import type { Fleet } from '../../dashboard/src/api';
import { createHandler } from '../../functions/api/handler';
import { createApiServer } from '../../local/apiServer';
import type { LocalS3 } from '../../local/localS3';
import { deviceName, expectedLabel, FIXTURE_DATES } from '../helpers/goldFixture';
import { CHROMIUM, dashboardBackend, SHOTS } from './backend';

const DEVICES = 60;
const NOW = Date.UTC(2026, 10, 20, 12);
const NEWEST = FIXTURE_DATES[FIXTURE_DATES.length - 1]!;

let s3: LocalS3;
let server: Server;
let browser: Browser;
let base: string;
let fleet: Fleet;
const pageErrors: string[] = [];

beforeAll(async () => {
  let api: ReturnType<typeof createHandler>;
  ({ s3, api } = await dashboardBackend(DEVICES, NOW));
  server = createApiServer(api, await buildDashboard());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fleet = JSON.parse((await api({ rawPath: '/fleet', queryStringParameters: { date: NEWEST } })).body) as Fleet;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => (server ? server.close(r) : r(null)));
  await s3?.stop();
});

async function open(path: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(`${m.text()} ${m.location().url}`);
  });
  await page.goto(`${base}${path}`);
  await page.waitForFunction(() => /devices on/.test(document.getElementById('fleet-summary')?.textContent ?? ''));
  return page;
}

const alarmsOn = (day: number) => Array.from({ length: DEVICES }, (_, i) => i + 1).filter((i) => expectedLabel(i, day) !== 'normal');

describe('the dashboard in Chromium', () => {
  afterEach(() => {
    expect(pageErrors.splice(0)).toEqual([]);
  });

  it('shows the newest day with gold, its fleet and every alarm', async () => {
    const page = await open('/');
    const alarms = alarmsOn(FIXTURE_DATES.length - 1);
    expect(await page.locator('#fleet-summary').textContent()).toBe(`${DEVICES} devices on ${NEWEST}: ${alarms.length} in alarm, ${DEVICES - alarms.length} normal.`);
    expect(await page.locator('#date option').allTextContents()).toEqual([...FIXTURE_DATES].reverse());
    expect(await page.locator('#alarm-table tbody tr').count()).toBe(alarms.length);
    // the grid: one cell per device, its first cell an alarm's colour (alarms first)
    const first = await page.evaluate(() => {
      const c = document.getElementById('fleet-grid') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(2, 2, 1, 1).data;
      return [d[0], d[1], d[2]];
    });
    const hex = (rgb: number[]) => `#${rgb.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
    const { STATE_COLORS } = await import('../../dashboard/src/colors');
    expect(hex(first as number[])).toBe(STATE_COLORS[fleet.devices.verdict[gridOrder(fleet, null)[0]!]!]);
    await page.screenshot({ path: join(SHOTS, 'fleet.png'), fullPage: true });
    await page.close();
  }, 60_000);

  it('opens a faulty device from the alarm list: its alarm, the four series and the probabilities', async () => {
    const page = await open('/');
    const device = deviceName(8);
    const label = expectedLabel(8, FIXTURE_DATES.length - 1);
    await page.locator('#alarm-table a', { hasText: device }).click();
    await page.waitForFunction(() => document.querySelectorAll('#device-body canvas').length >= 5);
    expect(await page.locator('#device-title').textContent()).toBe(`${device} on ${NEWEST}`);
    // the fixture's alarm: onset at window 25 (08:53:20 plant time), raised at the end of window 26 (09:36)
    expect(await page.locator('#device-alarm').textContent()).toMatch(new RegExp(`^Alarm: ${label.replace(/_/g, ' ')}, confidence 0\\.90; onset 08:53, raised 09:36 \\(Europe/Madrid\\)`));
    expect(await page.locator('#device-body figcaption').allTextContents()).toEqual(['Irradiance (W/m2)', 'Current (A)', 'Voltage (V)', 'Temperature (degC)', 'Class probabilities per window']);
    expect(new URL(page.url()).searchParams.get('device')).toBe(device);
    // the current chart at noon is drawn (not blank) and shaded where the model saw the fault
    const painted = await page.evaluate(() => {
      const c = document.querySelectorAll<HTMLCanvasElement>('#device-body canvas')[1]!;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let ink = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) ink++;
      return ink / (c.width * c.height);
    });
    expect(painted).toBeGreaterThan(0.05);
    await page.locator('#device').screenshot({ path: join(SHOTS, 'device.png') });
    await page.screenshot({ path: join(SHOTS, 'device-page.png'), fullPage: true });
    // Back closes the device: each opened device is a step of the history
    await page.goBack();
    await page.waitForFunction(() => (document.getElementById('device') as HTMLElement).hidden);
    await page.close();
  }, 60_000);

  it('sorts the alarms by a column and filters the fleet by class, keeping both in the URL', async () => {
    const page = await open('/');
    await page.locator('#alarm-table th button', { hasText: 'Device' }).click();
    await page.locator('#alarm-table th button', { hasText: 'Device' }).click();
    const ids = await page.locator('#alarm-table tbody td:first-child').allTextContents();
    expect(ids).toEqual(alarmRows(fleet, null, 'device', true).map((r) => r.deviceId));
    expect(ids[0]! > ids[ids.length - 1]!).toBe(true);
    expect(await page.locator('#alarm-table th[aria-sort="descending"]').textContent()).toMatch(/^Device/);
    await page.selectOption('#class-filter', 'open_circuit');
    const labels = await page.locator('#alarm-table tbody td:nth-child(2)').allTextContents();
    // a class matches its own alarms and the groups that stand for it
    expect(labels.length).toBe(alarmRows(fleet, 'open_circuit', 'device', true).length);
    expect(labels.length).toBeGreaterThan(0);
    for (const l of labels) expect(l).toMatch(/open circuit/);
    // the day is pinned in the link: shared tomorrow, it still shows this day
    expect(new URL(page.url()).search).toBe(`?date=${NEWEST}&class=open_circuit&sort=device%3Adesc`);
    await page.screenshot({ path: join(SHOTS, 'filtered.png'), fullPage: true });
    await page.close();
  }, 60_000);

  it('opens the view a shared link names: another day, a device, a filter', async () => {
    const date = FIXTURE_DATES[0]!;
    const page = await open(`/?date=${date}&class=arc_fault&device=${deviceName(4)}`);
    await page.waitForFunction(() => document.querySelectorAll('#device-body canvas').length >= 5);
    expect(await page.locator('#date').inputValue()).toBe(date);
    expect(await page.locator('#class-filter').inputValue()).toBe('arc_fault');
    expect(await page.locator('#device-title').textContent()).toBe(`${deviceName(4)} on ${date}`);
    expect(await page.locator('#fleet-summary').textContent()).toMatch(new RegExp(`^${DEVICES} devices on ${date}`));
    await page.close();
  }, 60_000);

  it('is usable by keyboard alone, with visible focus', async () => {
    const page = await open('/');
    const focused = () => page.evaluate(() => document.activeElement?.id ?? document.activeElement?.tagName);
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('date');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('class-filter');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('fleet-grid');
    const order = gridOrder(fleet, null);
    expect(await page.locator('#grid-status').textContent()).toBe(`${fleet.devices.deviceId[order[0]!]}: alarm ${fleet.devices.verdict[order[0]!]!.replace(/_/g, ' ')} (1 of ${DEVICES})`);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    const third = fleet.devices.deviceId[order[2]!]!;
    expect(await page.locator('#grid-status').textContent()).toMatch(new RegExp(`^${third}: `));
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).not.toBe('none');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('#device-body canvas').length >= 5);
    expect(await page.locator('#device-title').textContent()).toBe(`${third} on ${NEWEST}`);
    await page.screenshot({ path: join(SHOTS, 'keyboard.png'), fullPage: true });
    // the table's links and sort buttons are tab stops too
    await page.locator('#alarm-table a').first().focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction((id) => document.getElementById('device-title')?.textContent?.startsWith(id), (await page.locator('#alarm-table a').first().textContent())!);
    await page.close();
  }, 60_000);

  it('meets the basics: every control labelled, text contrast ≥ 4.5:1', async () => {
    const page = await open(`/?device=${deviceName(8)}`);
    await page.waitForFunction(() => document.querySelectorAll('#device-body canvas').length >= 5);
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('select, input, button, canvas[tabindex]')]
        .filter((e) => !((e as HTMLSelectElement).labels?.length || e.getAttribute('aria-label') || e.textContent?.trim()))
        .map((e) => e.outerHTML.slice(0, 80)),
    );
    expect(unlabelled).toEqual([]);
    const poor = await page.evaluate(() => {
      const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
      const lum = ([r, g, b]: number[]) => {
        const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
        return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
      };
      const background = (e: Element | null): number[] => {
        for (; e; e = e.parentElement) {
          const c = rgb(getComputedStyle(e).backgroundColor);
          if (c.length === 3 || (c.length === 4 && c[3]! > 0)) return c.slice(0, 3);
        }
        return [255, 255, 255];
      };
      const out: string[] = [];
      for (const e of document.querySelectorAll<HTMLElement>('h1, h2, p, label, th, td, a, button, option, select, figcaption, li')) {
        if (!e.offsetParent && e.tagName !== 'OPTION') continue;
        if (![...e.childNodes].some((n) => n.nodeType === 3 && n.textContent!.trim())) continue;
        const fg = lum(rgb(getComputedStyle(e).color));
        const bg = lum(background(e));
        const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
        if (ratio < 4.5) out.push(`${e.tagName}#${e.id} "${e.textContent!.trim().slice(0, 30)}": ${ratio.toFixed(2)}`);
      }
      return out;
    });
    expect(poor).toEqual([]);
    await page.close();
  }, 60_000);
});
