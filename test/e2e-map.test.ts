// The page's map, downloads and first-run states in Chromium on a lake the pipeline built from simulator data:
// one mark per location in the AQI colour /api/map reports (which follows prod.daily_aqi), a click opens the
// location's charts, a downloaded CSV equals the API's rows, an empty lake shows the commands to run, a server that
// went away shows a banner. Screenshots of every view at 1400×1000 and 390×844 go to a temp folder.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/index.js';
import { openaqDailyDag } from '../src/pipeline/openaq-daily.js';
import { openPipelineRuntime } from '../src/pipeline/runtime.js';
import { AQI_CATEGORIES } from '../src/server/air-standards.js';
import { createRealServices, type RealServices } from '../src/server/real-services.js';
import type { MapLocation } from '../src/server/routes/map.js';
import { type RunningServer, startServer } from '../src/server/server.js';
import { launchChromium, watchPageErrors } from './helpers/browser.js';
import { buildSimulatedLake, type SimulatedLake } from './helpers/simulated-lake.js';

const SCREENSHOTS = process.env.AQLAKE_E2E_SCREENSHOTS ?? join(tmpdir(), 'aqlake-e2e-map-screenshots');
const TOKEN = 'e2e-map-token-0123456789';
const SIZES = [
  { name: 'desktop', width: 1400, height: 1000 },
  { name: 'phone', width: 390, height: 844 },
];

let lake: SimulatedLake;
let real: RealServices;
let server: RunningServer;
let browser: Browser;
let page: Page;
let errors: string[];

async function apiGet(path: string): Promise<Response> {
  return fetch(new URL(path, server.url), { headers: { Authorization: `Bearer ${TOKEN}` } });
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  lake = await buildSimulatedLake({ days: 3, locations: 4 });
  real = await createRealServices({ config: lake.config, dag: lake.dag });
  server = await startServer({ config: lake.config, port: 0, services: real.services, token: TOKEN });
  browser = await launchChromium();
  const context = await browser.newContext({
    viewport: { width: 1400, height: 1000 },
    acceptDownloads: true,
  });
  page = await context.newPage();
  errors = watchPageErrors(page);
  await page.goto(`${server.url}?token=${TOKEN}#map`);
  process.stdout.write(`e2e map screenshots: ${SCREENSHOTS}\n`);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await real?.close();
  await lake?.close();
});

/**
 * Two CSV texts hold the same rows: same header, same cells, numbers equal to 1e-12 relative (DuckDB may sum a
 * view's doubles in another order from one query to the next, changing the last digit).
 */
function expectSameCsv(actual: string, expected: string): void {
  const rows = (text: string) =>
    text
      .trimEnd()
      .split('\r\n')
      .map((line) => line.split(','));
  const a = rows(actual);
  const b = rows(expected);
  expect(a.length).toBe(b.length);
  for (const [i, row] of a.entries()) {
    for (const [j, cell] of row.entries()) {
      const other = b[i]![j]!;
      const x = Number(cell);
      const y = Number(other);
      if (cell !== '' && other !== '' && Number.isFinite(x) && Number.isFinite(y))
        expect(Math.abs(x - y), `${i}:${j}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(y)));
      else expect(cell, `${i}:${j}`).toBe(other);
    }
  }
}

async function downloadText(testid: string): Promise<string> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click(`[data-testid="${testid}"]`),
  ]);
  return readFileSync((await download.path())!, 'utf8');
}

describe('the map', () => {
  let api: MapLocation[];

  it('draws one mark per location, in the AQI colour the API reports, named for screen readers', async () => {
    expect(lake.failures).toEqual([]);
    api = ((await (await apiGet('/api/map')).json()) as { locations: MapLocation[] }).locations;
    expect(api.map((l) => l.id).sort()).toEqual([...lake.locationIds].sort());
    await page.waitForSelector('[data-testid="map-mark"]');
    const marks = await page.locator('[data-testid="map-mark"]').evaluateAll((els) =>
      els.map((e) => ({
        id: Number(e.getAttribute('data-location-id')),
        fill: e.querySelector('circle')?.getAttribute('fill'),
        title: e.querySelector('title')?.textContent,
        label: e.getAttribute('aria-label'),
      })),
    );
    expect(marks).toHaveLength(lake.locationIds.length);
    for (const l of api) {
      const mark = marks.find((m) => m.id === l.id);
      expect(mark?.fill, l.name).toBe(l.color);
      expect(mark?.title).toBe(l.name);
      expect(mark?.label).toContain(l.name);
    }
    // Simulated PM2.5 days are complete: every location has an AQI, and its colour is its category's.
    for (const l of api) {
      const days = (
        (await (await apiGet(`/api/prod/daily_aqi?location_id=${l.id}`)).json()) as {
          rows: { local_date: string; aqi: number; category: string }[];
        }
      ).rows.sort((a, b) => b.local_date.localeCompare(a.local_date) || b.aqi - a.aqi);
      expect(days.length, l.name).toBeGreaterThan(0);
      expect(l.aqi).toBe(days[0]!.aqi);
      const category = AQI_CATEGORIES.find((c) => c.name.toLowerCase() === days[0]!.category.toLowerCase());
      expect(l.color).toBe(category!.color);
    }
  });

  it('shows name, parameter, value and local time on hover', async () => {
    const first = api[0]!;
    await page.hover(`[data-testid="map-mark"][data-location-id="${first.id}"]`);
    await page.waitForSelector('[data-testid="map-tip"]:not([hidden])');
    const tip = (await page.textContent('[data-testid="map-tip"]')) ?? '';
    expect(tip).toContain(first.name);
    expect(tip).toContain('pm25');
    expect(tip).toMatch(/local/);
    for (const size of SIZES) {
      await page.setViewportSize(size);
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(SCREENSHOTS, `map-${size.name}.png`), fullPage: true });
    }
    await page.setViewportSize(SIZES[0]!);
  });

  it('downloads the map’s CSV: the API’s rows', async () => {
    const text = await downloadText('map-csv');
    expectSameCsv(text, await (await apiGet('/api/map?format=csv')).text());
    expect(text.trimEnd().split('\r\n')).toHaveLength(api.length + 1);
  });

  it('opens the air view of a location on click, with its chart', async () => {
    const target = api.at(-1)!;
    await page.click(`[data-testid="map-mark"][data-location-id="${target.id}"]`);
    await page.waitForURL(new RegExp(`#air/${target.id}$`));
    await page.waitForFunction(
      (id) => (document.querySelector('[data-testid="location-select"]') as HTMLSelectElement)?.value === id,
      String(target.id),
    );
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="daily-chart"]')?.getAttribute('data-points')) > 0,
    );
  });

  it('downloads each chart’s and table’s CSV: the API’s rows for what it shows', async () => {
    const location = await page.inputValue('[data-testid="location-select"]');
    const from = await page.inputValue('[data-testid="air-from"]');
    const to = await page.inputValue('[data-testid="air-to"]');
    const daily = await downloadText('daily-csv');
    const shown = Number(await page.getAttribute('[data-testid="daily-chart"]', 'data-points'));
    const lines = daily.trimEnd().split('\r\n');
    expect(lines[0]).toContain('value_avg');
    expect(lines).toHaveLength(shown + 1);
    expect(lines.slice(1).every((l) => l.includes(`,${location},`) || l.startsWith(`${location},`))).toBe(
      true,
    );
    const apiDaily = await apiGet(
      `/api/prod/daily_averages?location_id=${location}&parameter=pm25&from=${from}&to=${to}&format=csv`,
    );
    expectSameCsv(daily, await apiDaily.text());

    const hourly = await downloadText('hourly-csv');
    const hourlyPoints = Number(await page.getAttribute('[data-testid="hourly-chart"]', 'data-points'));
    expect(hourly.trimEnd().split('\r\n')).toHaveLength(hourlyPoints + 1);

    const latest = await downloadText('latest-csv');
    expectSameCsv(latest, await (await apiGet('/api/prod/latest?format=csv')).text());
    expect(latest.trimEnd().split('\r\n')).toHaveLength(
      (await page.locator('[data-testid="latest-row"]').count()) + 1,
    );
  });

  it('downloads the catalog’s tables and checks as the API’s CSV', async () => {
    await page.evaluate(() => {
      window.location.hash = '#catalog';
    });
    await page.waitForSelector('[data-testid="tables-table"] tbody tr');
    expectSameCsv(
      await downloadText('tables-csv'),
      await (await apiGet('/api/catalog/tables?format=csv')).text(),
    );
    expectSameCsv(await downloadText('checks-csv'), await (await apiGet('/api/checks?format=csv')).text());
  });

  it('takes screenshots of every view at desktop and phone sizes', async () => {
    for (const view of ['pipeline', 'air', 'catalog']) {
      await page.evaluate((v) => {
        window.location.hash = `#${v}`;
      }, view);
      await page.waitForTimeout(1200);
      for (const size of SIZES) {
        await page.setViewportSize(size);
        await page.waitForTimeout(400);
        await page.screenshot({ path: join(SCREENSHOTS, `${view}-${size.name}.png`), fullPage: true });
      }
      await page.setViewportSize(SIZES[0]!);
    }
  });

  it('loaded without errors', () => {
    expect(errors).toEqual([]);
  });
});

describe('states people meet', () => {
  it('200 locations: one mark each, the map zoomed to them, the list filterable', {
    timeout: 60_000,
  }, async () => {
    // The map answer of a 200-location scope around the Alps (the page is what is tested here, not the lake).
    const many = Array.from({ length: 200 }, (_, i) => {
      const category = i % 7 === 6 ? null : AQI_CATEGORIES[i % 4]!;
      return {
        id: 5000 + i,
        name: `Station ${String(i).padStart(3, '0')}`,
        timezone: 'Europe/Zurich',
        country: 'CH',
        latitude: 45.5 + ((i * 0.618) % 1) * 3.5,
        longitude: 5.5 + ((i * 0.382 + i / 200) % 1) * 9,
        aqi: category ? 20 + i : null,
        aqiCategory: category?.name ?? null,
        color: category?.color ?? '#9ca3af',
        aqiParameter: category ? 'pm25' : null,
        aqiDate: category ? '2025-01-14' : null,
        latest: [{ parameter: 'pm25', units: 'µg/m³', value: 5 + i / 10, localTime: '2025-01-15 09:00:00' }],
      };
    });
    const tab = await browser.newPage({ viewport: SIZES[0] });
    const tabErrors = watchPageErrors(tab);
    await tab.route('**/api/map', (route) =>
      route.fulfill({ json: { locations: many, noAqiColor: '#9ca3af' } }),
    );
    try {
      await tab.goto(`${server.url}?token=${TOKEN}#map`);
      await tab.waitForSelector('[data-testid="map-mark"]');
      expect(await tab.locator('[data-testid="map-mark"]').count()).toBe(200);
      expect(await tab.locator('[data-testid="map-row"]').count()).toBe(200);
      // Zoomed to the scope: the marks spread over most of the map, not a dot in a world view.
      const box = await tab.locator('[data-testid="map"] svg').boundingBox();
      const spread = await tab.locator('[data-testid="map-mark"]').evaluateAll((els) => {
        const xs = els.map((e) => e.getBoundingClientRect().x);
        return Math.max(...xs) - Math.min(...xs);
      });
      expect(spread).toBeGreaterThan(box!.width * 0.4);
      await tab.fill('[data-testid="map-filter"]', 'Station 19');
      expect(await tab.locator('[data-testid="map-row"]').count()).toBe(10); // 190–199
      await tab.fill('[data-testid="map-filter"]', '');
      for (const size of SIZES) {
        await tab.setViewportSize(size);
        await tab.waitForTimeout(400);
        await tab.screenshot({ path: join(SCREENSHOTS, `map-200-${size.name}.png`) });
      }
      expect(tabErrors).toEqual([]);
    } finally {
      await tab.close();
    }
  });

  it('an empty lake shows first-run guidance with the command to run', { timeout: 120_000 }, async () => {
    const home = mkdtempSync(join(tmpdir(), 'aqlake-e2e-empty-'));
    const config = parseConfig({ home });
    const emptyReal = await createRealServices({
      config,
      dag: openaqDailyDag(config, () => openPipelineRuntime(config)),
    });
    const empty = await startServer({ config, port: 0, services: emptyReal.services });
    const tab = await browser.newPage({ viewport: SIZES[0] });
    const tabErrors = watchPageErrors(tab);
    try {
      for (const view of ['pipeline', 'air', 'map']) {
        await tab.goto(`${empty.url}#${view}`);
        const guide = tab.locator(`[data-testid="view-${view}"] [data-testid="first-run"]`);
        await guide.waitFor();
        expect(await guide.textContent()).toContain('aqlake run --from');
        expect(await guide.textContent()).toContain('aqlake demo');
        for (const size of SIZES) {
          await tab.setViewportSize(size);
          await tab.screenshot({ path: join(SCREENSHOTS, `empty-${view}-${size.name}.png`), fullPage: true });
        }
        await tab.setViewportSize(SIZES[0]!);
      }
      expect(tabErrors).toEqual([]);
    } finally {
      await tab.close();
      await empty.close();
      await emptyReal.close();
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('a server that went away shows a banner saying so', { timeout: 60_000 }, async () => {
    const home = mkdtempSync(join(tmpdir(), 'aqlake-e2e-gone-'));
    const config = parseConfig({ home });
    const goneReal = await createRealServices({
      config,
      dag: openaqDailyDag(config, () => openPipelineRuntime(config)),
    });
    const gone = await startServer({ config, port: 0, services: goneReal.services });
    const tab = await browser.newPage({ viewport: SIZES[0] });
    try {
      await tab.goto(`${gone.url}#pipeline`);
      await tab.waitForSelector('[data-testid="first-run"]');
      await gone.close();
      // The pipeline view polls every few seconds; the next poll finds no server.
      await tab.waitForSelector('[data-testid="banner"][data-kind="unreachable"]:not([hidden])', {
        timeout: 20_000,
      });
      expect(await tab.textContent('[data-testid="banner"]')).toContain('cannot be reached');
      await tab.screenshot({ path: join(SCREENSHOTS, 'unreachable-desktop.png') });
    } finally {
      await tab.close();
      await goneReal.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});
