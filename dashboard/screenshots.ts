/**
 * The walkthrough's screenshots (docs/deploy.md, "Finding the faulty arrays") from a
 * dashboard that is serving, in headless Chromium (Debian's, as the browser tests):
 *
 *   npm start -- --devices 60 --days 1 --date 2026-06-21 --force clipping --port 8080
 *   node -r @swc-node/register dashboard/screenshots.ts http://127.0.0.1:8080 [device]
 *
 * writes out/dashboard/walkthrough-{1-fleet,2-device,3-scalogram,4-plant-window}.png:
 * the newest day's fleet, the device's day (default: the first alarm of the list), the
 * scalogram of the window where its alarm's evidence began, and one of a window the
 * plant's condition set aside (when the day has one). Steps the page as an operator
 * would, through the list and the keyboard, so a broken step fails here too.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const OUT = join(__dirname, '..', 'out', 'dashboard');

async function main(): Promise<void> {
  const [base, wanted] = process.argv.slice(2);
  if (!base) throw new Error('usage: dashboard/screenshots.ts <dashboard URL> [deviceId]');
  mkdirSync(OUT, { recursive: true });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(base);
    await page.waitForFunction(() => /devices on/.test(document.getElementById('fleet-summary')?.textContent ?? ''));
    await page.screenshot({ path: join(OUT, 'walkthrough-1-fleet.png'), fullPage: true });
    const link = wanted ? page.locator('#alarm-table a', { hasText: wanted }) : page.locator('#alarm-table a').first();
    const device = (await link.textContent())!;
    await link.click();
    await page.waitForFunction(() => document.querySelectorAll('#device-body canvas').length >= 5);
    await page.locator('#device').screenshot({ path: join(OUT, 'walkthrough-2-device.png') });
    const options = await page.locator('#window-select option').allTextContents();
    const pick = async (mark: string, file: string) => {
      const at = options.findIndex((o) => o.includes(mark));
      if (at < 0) return false;
      const value = options[at]!.split(':')[0]!;
      await page.selectOption('#window-select', value);
      await page.waitForFunction((v) => new RegExp(`^Window ${v} `).test(document.getElementById('scalogram-status')?.textContent ?? '') && document.querySelectorAll('#scalogram-body canvas[data-channel]').length === 4, value);
      await page.locator('#device').screenshot({ path: join(OUT, file) });
      return true;
    };
    if (!(await pick('(alarm onset', 'walkthrough-3-scalogram.png'))) console.log(`${device} has no alarm onset in its window list: no scalogram screenshot`);
    if (!(await pick('plant condition', 'walkthrough-4-plant-window.png'))) console.log('no window of the plant condition on this day');
    console.log(`screenshots of ${device} in ${OUT}`);
  } finally {
    await browser.close();
  }
}

main().catch((err: unknown) => {
  console.error((err as Error).message);
  process.exit(1);
});
