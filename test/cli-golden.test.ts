// Golden tests of the CLI's human output: a home built deterministically here (run store and catalog written on a
// fixed clock), the real CLI run against it with AQLAKE_NOW fixed, and each transcript compared exactly with
// test/golden/<case>.txt. UPDATE_GOLDEN=1 rewrites the files; review them in the diff like code.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { parseConfig } from '../src/config/index.js';
import { PipelineError } from '../src/errors.js';
// The catalog half of a commit, below the lake's commit API: the golden home has no objects to place in a tree.
import { finishCommit, recordCommitIntent } from '../src/lake/catalog/catalog.js';
import { recordCatalogScan, stagePartition } from '../src/lake/catalog/index.js';
import type { TableColumn } from '../src/lake/catalog/schema-evolution.js';
import { versionObjectKey } from '../src/lake/keys.js';
import { type MetaDb, openMetaDb } from '../src/lake/meta/meta-db.js';
import type { Dag } from '../src/orchestrator/dag.js';
import { RunStore, type TryResult } from '../src/orchestrator/run-store.js';
import { openaqDailyDag } from '../src/pipeline/openaq-daily.js';
import { runCli } from './helpers/cli.js';
import { expectGolden, transcript } from './helpers/golden.js';

/** What the CLI takes as now: a quarter of an hour into the scheduled run of 2024-05-03. */
const NOW = '2024-05-03T04:18:00Z';
const CONFIG = { scope: { locations: [2178, 8118] } };
const owner = { id: 'golden-executor', pid: 4242, hostname: 'golden-host' };

let home: string;
let emptyHome: string;

/** A clock the fixture advances by hand: every recorded time is a literal of this file. */
function manualClock(start: string): { now: () => Date; advance: (seconds: number) => void } {
  let t = Date.parse(start);
  return { now: () => new Date(t), advance: (s) => (t += s * 1000) };
}

function buildRunStore(home: string): void {
  const config = { ...parseConfig(CONFIG), home };
  const dag: Dag = openaqDailyDag(config, () => Promise.reject(new Error('the golden fixture runs no task')));
  const clock = manualClock('2024-05-02T04:00:00Z');
  const store = new RunStore(openMetaDb(home), clock.now);
  const runTask = (
    runId: string,
    taskId: string,
    seconds: number,
    result: TryResult = { state: 'success' },
  ) => {
    const claim = store.claimTask(runId, taskId, owner, (n) => `_logs/${runId}/${taskId}/${n}.log`);
    if (!claim) throw new Error(`${runId} ${taskId} was not ready`);
    clock.advance(seconds);
    store.finishTask(runId, taskId, claim.tryNumber, result, claim.startedAt);
  };
  try {
    // 2024-05-01: every task done, the archive extract skipped (the day is newer than the archive's lag).
    const a = store.createRun(dag, { logicalDate: '2024-05-01', runType: 'backfill' }).run.runId;
    runTask(a, 'extract_locations', 2);
    runTask(a, 'extract_measurements', 41);
    runTask(a, 'extract_archive', 0.2, {
      state: 'skipped',
      error: "no day of the interval comes from the archive (see the run's source)",
    });
    runTask(a, 'transform', 12.5);
    runTask(a, 'catalog', 0.8);
    runTask(a, 'validate', 3);
    runTask(a, 'publish', 1.5);

    // 2024-05-02: a check fails (not retryable), so publish is upstream_failed and the run failed.
    clock.advance(60);
    const b = store.createRun(dag, { logicalDate: '2024-05-02', runType: 'backfill' }).run.runId;
    runTask(b, 'extract_locations', 2);
    runTask(b, 'extract_measurements', 38);
    runTask(b, 'extract_archive', 0.2, {
      state: 'skipped',
      error: 'no day of the interval comes from the archive',
    });
    runTask(b, 'transform', 11);
    runTask(b, 'catalog', 0.9);
    const check = new PipelineError(
      'check unique_sensor_period failed on dev.measurements/2024-05-02: 3 rows share a sensor and period\nfirst: sensor 7772 at 2024-05-02T10:00:00Z',
      'validate',
      '2024-05-02',
      { retryable: false },
    );
    runTask(b, 'validate', 2, { state: 'failed', error: check.message });

    // 2024-05-03 (scheduled, the next morning): measurements wait for a retry while the archive extract runs.
    clock.advance(86_400);
    const c = store.createRun(dag, { logicalDate: '2024-05-03', runType: 'scheduled' }).run.runId;
    runTask(c, 'extract_locations', 3);
    runTask(c, 'extract_measurements', 30, {
      state: 'up_for_retry',
      retryAt: new Date(clock.now().getTime() + 60_000),
      error: 'OpenAQ 503 Service Unavailable for GET /v3/sensors/7772/measurements/hourly',
    });
    if (!store.claimTask(c, 'extract_archive', owner, (n) => `_logs/${c}/extract_archive/${n}.log`))
      throw new Error('extract_archive was not ready');

    // 2024-04-30: triggered by hand for one location, not started yet.
    clock.advance(120);
    store.createRun(dag, { logicalDate: '2024-04-30', runType: 'manual', params: { locations: [8118] } });
  } finally {
    store.db.close();
  }
}

const MEASUREMENT_COLUMNS: TableColumn[] = [
  { name: 'location_id', type: 'BIGINT' },
  { name: 'sensor_id', type: 'BIGINT' },
  { name: 'period_end_utc', type: 'TIMESTAMP' },
  { name: 'value', type: 'DOUBLE' },
];

function buildCatalog(home: string): void {
  const meta = openMetaDb(home);
  const at = (iso: string) => new Date(iso);
  const day = (
    localDate: string,
    rows: number,
    bytes: number,
    columns: TableColumn[],
    committed: boolean,
  ) => {
    const now = at(`${localDate}T23:30:00Z`);
    const versionId = stagePartition(meta, {
      table: 'measurements',
      localDate,
      files: [{ key: versionObjectKey('dev', 'measurements', localDate, 'golden'), rows, bytes }],
      schema: columns,
      stats: {
        minPeriodEndUtc: `${localDate}T07:00:00Z`,
        maxPeriodEndUtc: `${localDate}T23:00:00Z`,
        rawRows: rows + 2,
        quarantinedRows: 1,
        duplicatesDropped: 1,
      },
      now,
    });
    recordCatalogScan(
      meta,
      versionId,
      { columns, rows, minPeriodEndUtc: `${localDate}T07:00:00Z`, maxPeriodEndUtc: `${localDate}T23:00:00Z` },
      now,
    );
    if (committed) commitInCatalog(meta, 'measurements', localDate, versionId, now);
  };
  try {
    day('2024-05-01', 48, 3_210, MEASUREMENT_COLUMNS, true);
    // The next day's files carry one more column: schema v2.
    const v2 = [...MEASUREMENT_COLUMNS, { name: 'coverage_percent', type: 'DOUBLE' }];
    day('2024-05-02', 46, 3_377, v2, true);
    day('2024-05-03', 12, 1_104, v2, false); // staged, not yet published
    const now = at('2024-05-01T04:00:00Z');
    const locations = stagePartition(meta, {
      table: 'locations',
      localDate: null,
      files: [{ key: versionObjectKey('dev', 'locations', null, 'golden'), rows: 2, bytes: 1_800_000 }],
      schema: [
        { name: 'location_id', type: 'BIGINT' },
        { name: 'timezone', type: 'VARCHAR' },
      ],
      now,
    });
    recordCatalogScan(
      meta,
      locations,
      {
        columns: [
          { name: 'location_id', type: 'BIGINT' },
          { name: 'timezone', type: 'VARCHAR' },
        ],
        rows: 2,
      },
      now,
    );
    commitInCatalog(meta, 'locations', null, locations, now);
  } finally {
    meta.close();
  }
}

/** The catalog half of a commit (intent, then finish): the golden home has no objects to place in a tree. */
function commitInCatalog(
  meta: MetaDb,
  table: string,
  localDate: string | null,
  versionId: number,
  now: Date,
): void {
  const commitId = recordCommitIntent(meta, [{ table, localDate, versionId }], {
    owner: 'golden',
    kind: 'publish',
    now,
  });
  if (commitId !== null) finishCommit(meta, commitId, { now });
}

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'aqlake-golden-'));
  emptyHome = mkdtempSync(join(tmpdir(), 'aqlake-golden-empty-'));
  for (const h of [home, emptyHome]) writeFileSync(join(h, 'aqlake.config.json'), JSON.stringify(CONFIG));
  buildRunStore(home);
  buildCatalog(home);
});
afterAll(() => {
  for (const h of [home, emptyHome]) rmSync(h, { recursive: true, force: true });
});

/** Runs the CLI in `cwd` (its config file) with a fixed clock and zone, and checks its transcript. */
async function golden(name: string, args: string[], cwd = home): Promise<void> {
  const result = await runCli(args, {
    cwd,
    env: {
      AQLAKE_HOME: cwd,
      AQLAKE_NOW: NOW,
      TZ: 'America/Los_Angeles',
      AQLAKE_ENGINE: 'local',
      AQLAKE_BUCKET: '',
      OPENAQ_API_KEY: '',
    },
  });
  expectGolden(name, transcript(args, result));
}

describe('the CLI output, golden', () => {
  it('runs: every run with its type, state, task counts, start and duration (so far, for a running run)', () =>
    golden('runs', ['runs']));

  it('runs --state failed: only the failed runs', () => golden('runs-failed', ['runs', '--state', 'failed']));

  it('tasks of a failed run: the check error on one line, the downstream task upstream_failed', () =>
    golden('tasks-failed', ['tasks', 'openaq_daily__2024-05-02']));

  it('tasks of a running run: a retry time for the task waiting for one', () =>
    golden('tasks-running', ['tasks', 'openaq_daily__2024-05-03']));

  it('tasks of a queued manual run: its params, nothing started', () =>
    golden('tasks-queued', ['tasks', 'openaq_daily__2024-04-30']));

  it('catalog: the dev tables, with staged versions counted', () => golden('catalog', ['catalog']));

  it('catalog --table: partitions and schema versions', () =>
    golden('catalog-table', ['catalog', '--table', 'measurements']));

  it('catalog of an empty lake says what to run first', () =>
    golden('catalog-empty', ['catalog'], emptyHome));

  it('backfill --dry-run: days to create, resume and skip, and the estimate for today’s source split', () =>
    golden('backfill-dry-run', ['backfill', '--from', '2024-04-24', '--to', '2024-05-05', '--dry-run']));

  it('--help: the commands', () => golden('help', ['--help']));

  it('backfill --help: its flags and what it exits with', () =>
    golden('backfill-help', ['backfill', '--help']));

  it('runs --help', () => golden('runs-help', ['runs', '--help']));
});
