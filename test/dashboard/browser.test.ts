/**
 * The dashboard in a real browser (Debian's Chromium, headless, driven by
 * playwright-core) against the API on loopback over s3rver holding the gold and
 * silver fixtures: the fleet of a day, a faulty device's alarm and charts, sorting,
 * the class filter, a shared link, the Back button, keyboard navigation, a window's
 * scalogram (chosen by keyboard and by a click on a chart), the plant's condition on a
 * day with a plant event (banner and hatching), a day without gold, and the
 * accessibility basics (labels, contrast, visible focus). Screenshots go to
 * out/dashboard/ for review.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildDashboard } from '../../dashboard/build';
import { alarmRows, gridOrder } from '../../dashboard/src/fleetModel';
import type { Fleet, Scalogram } from '../../dashboard/src/api';
import { colourOf, planesOf } from '../../dashboard/src/scalogramModel';
import { FolderStore } from '../../local/folderStore';
import { readModelVersion } from '../../detector/model/manifest';
import { createHandler } from '../../functions/api/handler';
import { createApiServer } from '../../local/apiServer';
import type { LocalS3 } from '../../local/localS3';
import { deviceName, expectedLabel, expectedRaise, FIXTURE_DATES, fixtureDesign, PLANT_EVENT_SLOTS, publishPlantEventDay } from '../helpers/goldFixture';
import { CHROMIUM, dashboardBackend, SHOTS } from './backend';

const DEVICES = 60;
const NOW = Date.UTC(2026, 10, 20, 12);
const NEWEST = FIXTURE_DATES[FIXTURE_DATES.length - 1]!;

let s3: LocalS3;
let server: Server;
let browser: Browser;
let base: string;
let fleet: Fleet;
let api: ReturnType<typeof createHandler>;
const pageErrors: string[] = [];

beforeAll(async () => {
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

async function open(path: string, at: string = base): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(`${m.text()} ${m.location().url}`);
  });
  await page.goto(`${at}${path}`);
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
    // each alarm's array design, as the day's registry named it (the default said to be assumed)
    const designs = await page.locator('#alarm-table tbody td:nth-child(8)').allTextContents();
    const ids = await page.locator('#alarm-table tbody td:first-child').allTextContents();
    expect(designs).toEqual(ids.map((id) => {
      const d = fixtureDesign(Number(id.slice(3)));
      return d.designSource === 'default' ? `${d.design} (default: not in the registry)` : d.design;
    }));
    // since when each alarm is open: the fixture's alarms are each day's own (labels change daily), open since their onset at 08:53
    expect(await page.locator('#alarm-table thead th').nth(2).textContent()).toMatch(/^Open since/);
    const since = await page.locator('#alarm-table tbody td:nth-child(3)').allTextContents();
    expect(since).toEqual(ids.map(() => '08:53'));
    expect(await page.locator('#alarm-table tbody td:nth-child(4)').allTextContents()).toEqual(since);
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
    // the fixture's alarm: onset at window 25 (08:53:20 plant time), named at the end of window 26 (09:36); a blocked string's
    // group raised at the end of window 25 (09:14), before its class was named (test/helpers/goldFixture.ts expectedRaise)
    const raised = expectedRaise(8, FIXTURE_DATES.length - 1)!.raisedAs ? 'raised 09:14 as string blocked, named 09:36' : 'raised 09:36';
    expect(await page.locator('#device-alarm').textContent()).toMatch(new RegExp(`^Alarm: ${label.replace(/_/g, ' ')}, confidence 0\\.90; onset 08:53, ${raised} \\(Europe/Madrid\\)`));
    // and the array design gold judged it as (the fixture's device 8: the default design, registered)
    expect(await page.locator('#device-alarm').textContent()).toMatch(new RegExp(`Array design ${fixtureDesign(8).design}\\.$`));
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

  it("chooses a window of a faulty device by keyboard and shows the model's input: four scalograms with axes, a colour scale and text alternatives", async () => {
    const device = deviceName(8);
    const page = await open(`/?device=${device}`);
    await page.waitForFunction(() => document.querySelectorAll('#device-body canvas').length >= 5);
    expect(await page.locator('#scalogram-status').textContent()).toMatch(/^Choose a window to see its scalogram: the list marks where the alarm's evidence began/);
    // the list: the day's predicted windows (20..46 in the fixture), the alarm's onset marked
    const options = await page.locator('#window-select option').allTextContents();
    expect(options).toHaveLength(1 + 27);
    expect(options[1]).toMatch(/^20: /);
    expect(options.find((o) => o.startsWith('25: '))).toMatch(/\(alarm onset\)$/);
    // by keyboard alone: Tab from the device's Close button reaches the list; arrows choose
    await page.locator('#device-close').focus();
    for (let k = 0; k < 12 && (await page.evaluate(() => document.activeElement?.id)) !== 'window-select'; k++) await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('window-select');
    expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).not.toBe('none');
    for (let k = 0; k < 7; k++) await page.keyboard.press('ArrowDown');
    // each arrow asks for a window: wait for the last one's answer, not an earlier window's images
    await page.waitForFunction(() => /^Window 26 /.test(document.getElementById('scalogram-status')?.textContent ?? ''));
    await page.waitForFunction(() => document.querySelectorAll('#scalogram-body canvas[data-channel]').length === 4);
    const chosen = Number(await page.locator('#window-select').inputValue());
    expect(chosen).toBe(26);
    expect(new URL(page.url()).searchParams.get('window')).toBe('26');
    expect(await page.locator('#scalogram-status').textContent()).toMatch(new RegExp(`^Window 26 \\(09:14–09:36\\): the model said ${expectedLabel(8, FIXTURE_DATES.length - 1).replace(/_/g, ' ')}, probability 0\\.90\\.$`));
    expect(await page.locator('#scalogram-body figcaption').allTextContents()).toEqual(['Voltage', 'Current', 'Temperature', 'Irradiance', 'Colour scale: asinh(coefficient / channel scale), as the model reads it']);
    const labels = await page.locator('#scalogram-body canvas[role="img"]').evaluateAll((cs) => cs.map((c) => c.getAttribute('aria-label') ?? ''));
    expect(labels.slice(0, 4).map((l) => l.split(':')[0])).toEqual(['Scalogram of voltage', 'Scalogram of current', 'Scalogram of temperature', 'Scalogram of irradiance']);
    for (const l of labels.slice(0, 4)) expect(l).toMatch(/values -?\d+\.\d\d to -?\d+\.\d\d; strongest .* at scale \d+ \(changes over about \d+ (s|min)\) at \d\d:\d\d/);
    expect(labels[4]).toMatch(/^Colour scale: blue -\d+\.\d\d/);
    expect(await page.locator('.colour-ticks span').allTextContents()).toEqual([expect.stringMatching(/^-\d+\.\d\d$/), '0', expect.stringMatching(/^\+\d+\.\d\d$/)]);
    // the picture is the API's tensor: cells of the current image carry the colour of their value
    const sc = JSON.parse((await api({ rawPath: `/devices/${device}/scalogram`, queryStringParameters: { date: NEWEST, window: '26' } })).body) as Scalogram;
    const planes = planesOf(sc);
    const cells: [number, number][] = [
      [0, 0],
      [10, 20],
      [40, 63],
      [63, 32],
    ];
    const drawn = await page.evaluate((at) => {
      const c = document.querySelector<HTMLCanvasElement>('#scalogram-body canvas[data-channel="current"]')!;
      const r = window.devicePixelRatio || 1;
      // the image's cells are 3 px, 46 px from the left and 6 from the top (scalogramView.ts)
      return at.map(([h, w]) => [...c.getContext('2d')!.getImageData(Math.floor((46 + w * 3 + 1.5) * r), Math.floor((6 + h * 3 + 1.5) * r), 1, 1).data.slice(0, 3)]);
    }, cells);
    cells.forEach(([h, w], k) => {
      const want = colourOf(planes.planes[1]![h * planes.times + w]!, planes.limit);
      drawn[k]!.forEach((v, j) => expect(Math.abs(v - want[j]!)).toBeLessThanOrEqual(2));
    });
    await page.locator('#scalogram-panel').screenshot({ path: join(SHOTS, 'scalogram.png') });
    await page.screenshot({ path: join(SHOTS, 'scalogram-page.png'), fullPage: true });

    // a click on the probabilities chart chooses the window under it; the link keeps it
    const chart = page.locator('#device-body .u-over').last();
    const box = (await chart.boundingBox())!;
    // the chart spans the fixture's day (24 h): window 33 is at (33.5 × 21 min 20 s) / 24 h of its width
    await chart.click({ position: { x: (box.width * 33.5 * 1280) / 86_400, y: box.height / 2 } });
    await page.waitForFunction(() => new URL(location.href).searchParams.get('window') === '33');
    await page.waitForFunction(() => /^Window 33 /.test(document.getElementById('scalogram-status')?.textContent ?? ''));
    expect(await page.locator('#window-select').inputValue()).toBe('33');
    // a shared link opens the same window
    const again = await open(`/?date=${NEWEST}&device=${device}&window=33`);
    await again.waitForFunction(() => document.querySelectorAll('#scalogram-body canvas[data-channel]').length === 4);
    expect(await again.locator('#window-select').inputValue()).toBe('33');
    await again.close();
    await page.close();
  }, 90_000);

  it("shows the plant's condition on a day with a plant event: a line on the fleet, hatching on a device's charts; none on an ordinary day", async () => {
    const date = '2026-11-16';
    const root = mkdtempSync(join(tmpdir(), 'plant-day-browser-'));
    const writer = (dir: string) => ({
      put: async (key: string, body: Uint8Array | string) => {
        mkdirSync(dirname(join(root, dir, key)), { recursive: true });
        writeFileSync(join(root, dir, key), body);
      },
    });
    await publishPlantEventDay(writer('gold'), writer('silver'), DEVICES, date, readModelVersion());
    const plantApi = createHandler({ store: new FolderStore(join(root, 'gold')), silver: new FolderStore(join(root, 'silver')), timeZone: 'Europe/Madrid', now: () => NOW });
    const plantServer = createApiServer(plantApi, await buildDashboard());
    await new Promise<void>((r) => plantServer.listen(0, '127.0.0.1', r));
    const at = `http://127.0.0.1:${(plantServer.address() as AddressInfo).port}`;
    // the hatched columns of a chart: runs of columns where the hatch's grey is drawn down the plot
    const hatched = (page: Page) =>
      page.evaluate(() => {
        const c = document.querySelectorAll<HTMLCanvasElement>('#device-body canvas')[1]!;
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        const runs: [number, number][] = [];
        for (let x = 0; x < c.width; x++) {
          let grey = 0;
          for (let y = 0; y < c.height; y++) {
            const i = (y * c.width + x) * 4;
            const [r, g, b, a] = [d[i]!, d[i + 1]!, d[i + 2]!, d[i + 3]!];
            // the hatch's opaque grey lines (deviceDay.ts HATCH_COLOR #6b7280), whatever is under them
            if (a > 200 && Math.abs(r - 107) <= 14 && Math.abs(g - 114) <= 14 && Math.abs(b - 128) <= 14) grey++;
          }
          const last = runs[runs.length - 1];
          if (grey >= 3) {
            if (last && last[1] === x - 1) last[1] = x;
            else runs.push([x, x]);
          }
        }
        return { width: c.width, runs: runs.filter(([a, b]) => b - a >= 8) };
      });
    try {
      const page = await open(`/?date=${date}`, at);
      const [first, last] = PLANT_EVENT_SLOTS;
      await page.waitForFunction(() => !(document.getElementById('plant-condition') as HTMLElement).hidden);
      expect(await page.locator('#plant-condition-text').textContent()).toBe('Plant condition: power limit (curtailment or clipping) 09:57–11:22 (' + (last - first + 1) + ' windows): set aside, not faults.');
      expect(await page.locator('#plant-condition .explain').textContent()).toMatch(/frost, snow, dew, clipping .* curtailment .* not a fault/);
      // the condition raised no alarm; the two real faults did
      expect(await page.locator('#alarm-table tbody tr').count()).toBe(2);
      await page.screenshot({ path: join(SHOTS, 'plant-condition.png'), fullPage: true });
      await page.locator('#alarm-table a').first().click();
      await page.waitForFunction(() => document.querySelectorAll('#device-body canvas').length >= 5);
      await page.locator('#device').screenshot({ path: join(SHOTS, 'plant-condition-device.png') });
      const { width, runs } = await hatched(page);
      // one hatched span, about 4 windows of the day wide, around 10:40
      expect(runs).toHaveLength(1);
      const [a, b] = runs[0]!;
      expect((b - a) / width).toBeGreaterThan(0.6 * ((last - first + 1) * 1280) / 86_400);
      expect((b - a) / width).toBeLessThan(1.3 * ((last - first + 1) * 1280) / 86_400);
      expect((a + b) / 2 / width).toBeGreaterThan(0.35);
      expect((a + b) / 2 / width).toBeLessThan(0.55);
      // and in words, for a screen reader
      expect(await page.locator('#device-body figure').first().getAttribute('aria-label')).toMatch(/hatched grey: the plant's condition, set aside \(09:57–11:22\)$/);
      expect(await page.locator('.chart-key').textContent()).toMatch(/Hatched grey: the plant's condition \(set aside, not a fault\)/);
      const inCondition = (await page.locator('#window-select option').allTextContents()).filter((o) => o.endsWith('(plant condition)'));
      expect(inCondition.map((o) => Number(o.split(':')[0]))).toEqual(Array.from({ length: last - first + 1 }, (_, k) => first + k));
      // its scalogram says the window was set aside
      await page.selectOption('#window-select', String(first));
      await page.waitForFunction(() => document.querySelectorAll('#scalogram-body canvas[data-channel]').length === 4);
      expect(await page.locator('#scalogram-status').textContent()).toMatch(new RegExp(`^Window ${first} \\(09:57–10:18\\): the model said partial shading, probability 0\\.90\\. This window is in the plant's condition: set aside, it counts towards no alarm\\.$`));
      await page.close();
      // the fixture's ordinary day: no line, no hatching
      const ordinary = await open(`/?device=${deviceName(8)}`);
      await ordinary.waitForFunction(() => document.querySelectorAll('#device-body canvas').length >= 5);
      expect(await ordinary.locator('#plant-condition').isHidden()).toBe(true);
      expect((await hatched(ordinary)).runs).toEqual([]);
      await ordinary.close();
    } finally {
      await new Promise((r) => plantServer.close(r));
      rmSync(root, { recursive: true, force: true });
    }
  }, 90_000);

  it('says so when a linked day has no gold, and shows the newest day instead', async () => {
    const page = await open('/?date=2026-11-01');
    expect(await page.locator('#day-note').textContent()).toBe(`No predictions for 2026-11-01: the pipeline has produced no gold for that day (not run yet, or no data). Showing the newest day with predictions, ${NEWEST}.`);
    expect(await page.locator('#fleet-summary').textContent()).toMatch(new RegExp(`^${DEVICES} devices on ${NEWEST}`));
    await page.screenshot({ path: join(SHOTS, 'no-gold-day.png') });
    await page.close();
  }, 60_000);

  it('meets the basics: every control labelled, text contrast ≥ 4.5:1', async () => {
    const page = await open(`/?device=${deviceName(8)}&window=30`);
    await page.waitForFunction(() => document.querySelectorAll('#device-body canvas').length >= 5);
    await page.waitForFunction(() => document.querySelectorAll('#scalogram-body canvas[data-channel]').length === 4);
    // every image has its text alternative
    expect(await page.locator('#scalogram-body canvas:not([aria-label])').count()).toBe(0);
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
      for (const e of document.querySelectorAll<HTMLElement>('h1, h2, h3, p, label, th, td, a, button, option, select, figcaption, li, span')) {
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
