// End to end in a real browser: the pipeline runs on simulator data, `aqlake serve`'s server shows it, and the page
// is driven like a person would — grid, task panel, air-quality chart, trigger, catalog — with screenshots of each view.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMetaDb } from '../src/lake/meta/meta-db.js';
import { RunStore } from '../src/orchestrator/index.js';
import { createRealServices, type RealServices } from '../src/server/real-services.js';
import { type RunningServer, startServer } from '../src/server/server.js';
import { addDays } from '../src/time/local-day.js';
import { launchChromium, watchPageErrors } from './helpers/browser.js';
import { buildSimulatedLake, type SimulatedLake } from './helpers/simulated-lake.js';

const SCREENSHOTS = process.env.AQLAKE_E2E_SCREENSHOTS ?? join(tmpdir(), 'aqlake-e2e-screenshots');
const TOKEN = 'e2e-token-0123456789';

let lake: SimulatedLake;
/** The grid's rows: the DAG's tasks in topological order. */
let TASKS: string[];
/** The orchestrator's own record, to compare the page with. */
let runStore: RunStore;
let real: RealServices;
let server: RunningServer;
let guarded: RunningServer;
let browser: Browser;
let page: Page;
let errors: string[];

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  lake = await buildSimulatedLake({ days: 3, locations: 3 });
  TASKS = lake.dag.tasks.map((t) => t.id);
  runStore = new RunStore(openMetaDb(lake.config.home));
  real = await createRealServices({ config: lake.config, dag: lake.dag });
  server = await startServer({ config: lake.config, port: 0, services: real.services });
  guarded = await startServer({ config: lake.config, port: 0, services: real.services, token: TOKEN });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  errors = watchPageErrors(page);
  process.stdout.write(`e2e screenshots: ${SCREENSHOTS}\n`);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await guarded?.close();
  await real?.close();
  runStore?.db.close();
  await lake?.close();
});

const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });

describe('the page on a lake the pipeline built from simulator data', () => {
  it('ran the backfill the page will show', () => {
    expect(lake.failures).toEqual([]);
    expect(lake.backfill.runs.map((r) => r.state)).toEqual(lake.days.map(() => 'success'));
  });

  it('shows every run in the grid with each task’s state, and a task’s tries and log on click', async () => {
    await page.goto(server.url);
    await page.waitForSelector('[data-testid="grid-cell"]');
    for (const day of lake.days) {
      const cells = page.locator(`[data-testid="grid-cell"][data-date="${day}"]`);
      expect(await cells.count()).toBe(TASKS.length);
      expect(await cells.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.taskId))).toEqual(
        TASKS,
      );
      // What the run store recorded (some tasks may end skipped, e.g. the archive extract of a recent day).
      const recorded = new Map(
        runStore.listTaskInstances(`openaq_daily__${day}`).map((t) => [t.taskId, t.state]),
      );
      expect(await cells.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.state))).toEqual(
        TASKS.map((t) => recorded.get(t)),
      );
      const bar = page.locator(`[data-testid="run-bar"][data-run-id="openaq_daily__${day}"]`);
      expect(await bar.getAttribute('data-state')).toBe('success');
    }
    expect(await page.locator('[data-testid="run-row"]').count()).toBe(lake.days.length);

    await page.click(`[data-testid="grid-cell"][data-date="${lake.days[1]}"][data-task-id="transform"]`);
    await page.waitForSelector('[data-testid="try-row"]');
    expect(await page.textContent('[data-testid="task-panel-title"]')).toBe('transform');
    expect(await page.locator('[data-testid="try-row"]').count()).toBe(1);
    await page.waitForFunction(() => {
      const log = document.querySelector('[data-testid="task-log"]');
      return log !== null && log.querySelectorAll('.log-line').length > 0;
    });
    await shot('1-pipeline');
  });

  it('draws one point per daily average of the chosen location and parameter, with the WHO line for PM2.5', async () => {
    await page.click('[data-testid="tab-air"]');
    const locationId = lake.locationIds[1]!;
    await page.waitForSelector(`[data-testid="location-select"] option[value="${locationId}"]`, {
      state: 'attached',
    });
    await page.selectOption('[data-testid="location-select"]', String(locationId));
    const pm25 = await page
      .locator('[data-testid="parameter-select"] option[data-parameter="pm25"]')
      .getAttribute('value');
    await page.selectOption('[data-testid="parameter-select"]', pm25!);
    await page.waitForSelector('[data-testid="daily-chart"] canvas');

    const from = await page.inputValue('[data-testid="air-from"]');
    const to = await page.inputValue('[data-testid="air-to"]');
    expect(from <= lake.days[0]! && to >= lake.days.at(-1)!).toBe(true);
    const api = (await (
      await fetch(
        new URL(
          `/api/prod/daily_averages?location_id=${locationId}&parameter=pm25&from=${from}&to=${to}`,
          server.url,
        ),
      )
    ).json()) as { rows: { value_avg: number | null; sensor_id: number }[] };
    const sensors = new Set(api.rows.map((r) => r.sensor_id));
    expect(sensors.size).toBe(1);
    const expected = api.rows.filter((r) => r.value_avg !== null).length;
    expect(expected).toBeGreaterThanOrEqual(lake.days.length);
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid="daily-chart"]')?.getAttribute('data-points') === String(n),
      expected,
    );
    expect(await page.textContent('[data-testid="daily-legend"]')).toContain(
      'WHO 24-hour guideline: 15 µg/m³',
    );

    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="hourly-chart"]')?.getAttribute('data-points')) > 0,
    );
    expect(await page.locator('[data-testid="latest-row"]').count()).toBeGreaterThanOrEqual(
      lake.locationIds.length,
    );
    await shot('2-air-quality');
  });

  it('shows the catalog’s tables and partitions and the check results', async () => {
    await page.click('[data-testid="tab-catalog"]');
    await page.waitForSelector('[data-testid="partition-row"]');
    expect(await page.locator('[data-testid="table-row"][data-table="measurements"]').count()).toBe(1);
    expect(await page.locator('[data-testid="partition-row"]').count()).toBeGreaterThanOrEqual(
      lake.days.length,
    );
    await page.waitForSelector('[data-testid="check-row"]');
    expect(await page.locator('[data-testid="check-row"]').count()).toBeGreaterThan(0);
    await shot('3-catalog');
  });

  it('triggers a run for a new day from the page and shows it appear, run and succeed', async () => {
    await page.click('[data-testid="tab-pipeline"]');
    const day = addDays(lake.days[0]!, -2);
    const runId = `openaq_daily__${day}`;
    expect(await page.locator(`[data-testid="grid-cell"][data-date="${day}"]`).count()).toBe(0);
    await page.fill('[data-testid="trigger-date"]', day);
    await page.click('[data-testid="trigger-button"]');
    await page.waitForSelector(`[data-testid="run-row"][data-run-id="${runId}"]`, { timeout: 10_000 });
    expect(await page.locator(`[data-testid="grid-cell"][data-date="${day}"]`).count()).toBe(TASKS.length);
    await page.waitForSelector(`[data-testid="run-bar"][data-run-id="${runId}"][data-state="success"]`, {
      timeout: 90_000,
    });
    expect(await page.locator('[data-testid="run-row"]').count()).toBe(lake.days.length + 1);
    await shot('4-pipeline-after-trigger');
  }, 120_000);

  it('clears a task and its downstream from the task panel, and they run again', async () => {
    const day = lake.days.at(-1)!;
    const runId = `openaq_daily__${day}`;
    const triesBefore = new Map(runStore.listTaskInstances(runId).map((t) => [t.taskId, t.tryNumber]));
    const rerun = new Set(['validate', ...lake.dag.allDownstream('validate')]);
    await page.click(`[data-testid="grid-cell"][data-date="${day}"][data-task-id="validate"]`);
    await page.waitForSelector('[data-testid="try-row"]');
    expect(await page.isChecked('[data-testid="clear-downstream"]')).toBe(true);
    await page.click('[data-testid="clear-button"]');
    // Try 2 of validate, then publish (downstream) back to success.
    await page.waitForSelector('[data-testid="try-row"][data-try="2"]', { timeout: 60_000 });
    await page.waitForSelector(
      `[data-testid="grid-cell"][data-date="${day}"][data-task-id="publish"][data-state="success"]`,
      { timeout: 60_000 },
    );
    await page.waitForSelector(
      `[data-testid="run-bar"][data-run-id="openaq_daily__${day}"][data-state="success"]`,
    );
    const triesAfter = new Map(runStore.listTaskInstances(runId).map((t) => [t.taskId, t.tryNumber]));
    for (const task of TASKS)
      expect(triesAfter.get(task), task).toBe(triesBefore.get(task)! + (rerun.has(task) ? 1 : 0));
    await shot('5-pipeline-after-clear');
  }, 90_000);

  it('starts a backfill from the page and follows its progress to the end', async () => {
    const day = addDays(lake.days[0]!, -1);
    await page.fill('[data-testid="backfill-from"]', day);
    await page.fill('[data-testid="backfill-to"]', day);
    await page.click('[data-testid="backfill-button"]');
    await page.waitForSelector('[data-testid="backfill-progress"]:not([hidden])');
    await page.waitForSelector('[data-testid="backfill-progress"][data-state="success"]', {
      timeout: 90_000,
    });
    expect(await page.textContent('[data-testid="backfill-counts"]')).toContain('1/1 done');
    await page.waitForSelector(
      `[data-testid="run-bar"][data-run-id="openaq_daily__${day}"][data-state="success"]`,
    );
    await shot('6-pipeline-after-backfill');
  }, 120_000);

  it('loaded without errors', () => {
    expect(errors).toEqual([]);
  });
});

describe('the page behind a token', () => {
  it('takes the token from ?token= once, drops it from the address bar, and uses it for every API call', async () => {
    const context = await browser.newContext();
    const tab = await context.newPage();
    const tabErrors = watchPageErrors(tab);
    await tab.goto(`${guarded.url}?token=${TOKEN}#pipeline`);
    await tab.waitForSelector('[data-testid="grid-cell"]');
    expect(new URL(tab.url()).search).toBe('');
    await tab.reload();
    await tab.waitForSelector('[data-testid="grid-cell"]');
    expect(tabErrors).toEqual([]);
    await context.close();
  });

  it('without the token shows a banner and no data', async () => {
    const context = await browser.newContext();
    const tab = await context.newPage();
    await tab.goto(guarded.url);
    await tab.waitForSelector('[data-testid="banner"]:not([hidden])');
    expect(await tab.textContent('[data-testid="banner"]')).toContain('?token=');
    expect(await tab.locator('[data-testid="grid-cell"]').count()).toBe(0);
    await context.close();
  });
});
