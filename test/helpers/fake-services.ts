// In-memory Services for handler tests: a small run history, catalog, checks and prod rows, with the calls recorded.
import {
  type BackfillStatus,
  type CheckResult,
  type LocationOption,
  type PartitionInfo,
  type ProdFilter,
  QueryRejectedError,
  type RunSummary,
  type SchemaVersionInfo,
  type Services,
  type TableInfo,
  type TaskInstanceView,
  type TaskState,
  type TaskTryView,
} from '../../src/server/services.js';

const FAKE_TASKS = [
  'extract_locations',
  'extract_measurements',
  'transform',
  'catalog',
  'validate',
  'publish',
] as const;

interface FakeCalls {
  trigger: { date: string; locations?: number[] }[];
  clear: { runId: string; task?: string; downstream?: boolean }[];
  backfill: { from: string; to: string; locations?: number[] }[];
  query: string[];
  prod: { view: string; filter: ProdFilter }[];
}

function run(date: string, states: TaskState[], runType: RunSummary['runType'] = 'scheduled'): RunSummary {
  const failed = states.includes('failed') || states.includes('upstream_failed');
  const running = states.some((s) => s === 'running' || s === 'queued' || s === 'up_for_retry');
  return {
    runId: `${runType}__${date}`,
    dagId: 'openaq_daily',
    logicalDate: date,
    runType,
    state: running ? 'running' : failed ? 'failed' : 'success',
    startedAt: `${date}T04:00:00.000Z`,
    endedAt: running ? null : `${date}T04:01:00.000Z`,
    params: {},
    taskStates: Object.fromEntries(FAKE_TASKS.map((t, i) => [t, states[i] ?? 'queued'])),
    costUsd: null,
  };
}

export interface FakeServices extends Services {
  calls: FakeCalls;
}

export function fakeServices(): FakeServices {
  const ok: TaskState[] = ['success', 'success', 'success', 'success', 'success', 'success'];
  const runs: RunSummary[] = [
    run('2024-03-05', ok),
    run('2024-03-06', ['success', 'success', 'success', 'success', 'failed', 'upstream_failed']),
    run('2024-03-07', ['success', 'running', 'queued', 'queued', 'queued', 'queued']),
  ];
  const calls: FakeCalls = { trigger: [], clear: [], backfill: [], query: [], prod: [] };
  let backfill: BackfillStatus | undefined;

  const instances = (r: RunSummary): TaskInstanceView[] =>
    FAKE_TASKS.map((taskId) => {
      const state = r.taskStates[taskId]!;
      // Only a task that started has tries: not one still waiting, nor one below a failure.
      const tries = ['queued', 'scheduled', 'upstream_failed'].includes(state)
        ? 0
        : state === 'failed'
          ? 3
          : 1;
      const lastTry: TaskTryView['state'] =
        state === 'up_for_retry' ? 'failed' : (state as 'running' | 'success' | 'failed' | 'skipped');
      return {
        runId: r.runId,
        taskId,
        state,
        tryNumber: tries,
        maxTries: 3,
        startedAt: tries ? `${r.logicalDate}T04:00:00.000Z` : null,
        endedAt: tries && state !== 'running' ? `${r.logicalDate}T04:00:02.000Z` : null,
        durationMs: tries && state !== 'running' ? 2000 : null,
        error: state === 'failed' ? 'check unique_sensor_period failed on day=06' : null,
        tries: Array.from({ length: tries }, (_, i) => ({
          tryNumber: i + 1,
          state: i + 1 < tries ? 'failed' : lastTry,
          startedAt: `${r.logicalDate}T04:00:0${i}.000Z`,
          endedAt: `${r.logicalDate}T04:00:0${i + 1}.000Z`,
          durationMs: 1000,
          error: i + 1 < tries || state === 'failed' ? `try ${i + 1} failed` : null,
        })),
      };
    });

  const tables: TableInfo[] = [
    {
      name: 'measurements',
      partitioned: true,
      schemaVersion: 2,
      partitionCount: 2,
      rowCount: 480,
      bytes: 20_480,
      fileCount: 2,
      minTime: '2024-03-05T00:00:00.000Z',
      maxTime: '2024-03-06T23:00:00.000Z',
      updatedAt: '2024-03-07T04:00:00.000Z',
    },
  ];
  const partitions: PartitionInfo[] = ['05', '06'].map((d) => ({
    table: 'measurements',
    partition: `year=2024/month=03/day=${d}`,
    localDate: `2024-03-${d}`,
    rowCount: 240,
    bytes: 10_240,
    fileCount: 1,
    minTime: `2024-03-${d}T00:00:00.000Z`,
    maxTime: `2024-03-${d}T23:00:00.000Z`,
    schemaVersion: 2,
    quarantinedRows: 0,
    committedAt: `2024-03-${d}T05:00:00.000Z`,
  }));
  const versions: SchemaVersionInfo[] = [
    { table: 'measurements', version: 1, columns: [{ name: 'value', type: 'DOUBLE' }], createdAt: null },
    {
      table: 'measurements',
      version: 2,
      columns: [
        { name: 'value', type: 'DOUBLE' },
        { name: 'quality', type: 'VARCHAR' },
      ],
      createdAt: null,
    },
  ];
  const checks: CheckResult[] = [
    check('not_null_keys', 'pass', 'error', '2024-03-06'),
    check('coverage', 'fail', 'warn', '2024-03-05'),
    check('unique_sensor_period', 'fail', 'error', '2024-03-06'),
    check('value_range', 'pass', 'warn', '2024-03-06'),
  ];
  const daily = [
    {
      location_id: 1,
      sensor_id: 11,
      parameter: 'pm25',
      units: 'µg/m³',
      local_date: '2024-03-05',
      value_avg: 12.5,
    },
    {
      location_id: 1,
      sensor_id: 11,
      parameter: 'pm25',
      units: 'µg/m³',
      local_date: '2024-03-06',
      value_avg: 20,
    },
    {
      location_id: 1,
      sensor_id: 12,
      parameter: 'no2',
      units: 'µg/m³',
      local_date: '2024-03-06',
      value_avg: 'a "quoted", value',
    },
    {
      location_id: 2,
      sensor_id: 21,
      parameter: 'pm25',
      units: 'µg/m³',
      local_date: '2024-03-06',
      value_avg: 40,
    },
  ];
  const locations: LocationOption[] = [
    {
      id: 1,
      name: 'Central',
      timezone: 'America/Los_Angeles',
      country: 'US',
      parameters: [
        { parameter: 'pm25', units: 'µg/m³', parameterId: 2, sensorId: 11 },
        { parameter: 'no2', units: 'µg/m³', parameterId: 5, sensorId: 12 },
      ],
      firstDate: '2024-03-05',
      lastDate: '2024-03-06',
    },
  ];

  return {
    calls,
    runs: {
      taskIds: () => FAKE_TASKS,
      async listRuns(filter) {
        let list = runs.filter(
          (r) =>
            (!filter.state || r.state === filter.state) &&
            (!filter.dagId || r.dagId === filter.dagId) &&
            (!filter.from || r.logicalDate >= filter.from) &&
            (!filter.to || r.logicalDate <= filter.to),
        );
        if (filter.limit) list = list.slice(-filter.limit);
        return list;
      },
      async getRun(runId) {
        return runs.find((r) => r.runId === runId);
      },
      async taskInstances(runId) {
        const r = runs.find((x) => x.runId === runId);
        return r ? instances(r) : undefined;
      },
      async taskLog(runId, taskId, tryNumber) {
        const r = runs.find((x) => x.runId === runId);
        const t = r && instances(r).find((i) => i.taskId === taskId);
        if (!t || tryNumber > t.tryNumber) return undefined;
        return `{"level":30,"msg":"${taskId} try ${tryNumber} of ${runId}"}\n`;
      },
      async trigger(request) {
        calls.trigger.push(request);
        const r = run(request.date, [], 'manual');
        runs.push(r);
        return r;
      },
      async clear(request) {
        calls.clear.push(request);
        return { cleared: request.task ? [request.task] : [...FAKE_TASKS] };
      },
      async startBackfill(request) {
        calls.backfill.push(request);
        backfill = {
          id: 'bf-1',
          from: request.from,
          to: request.to,
          state: 'running',
          totalRuns: 3,
          doneRuns: 1,
          failedRuns: 0,
          runningRuns: 1,
          startedAt: '2024-03-07T00:00:00.000Z',
          endedAt: null,
          error: null,
        };
        return backfill;
      },
      async backfillProgress(id) {
        return id === undefined || id === backfill?.id ? backfill : undefined;
      },
    },
    catalog: {
      tables: async () => tables,
      partitions: async (table) => (table === 'measurements' ? partitions : undefined),
      schemaVersions: async (table) => (table === 'measurements' ? versions : undefined),
    },
    checks: {
      results: async (filter) => checks.filter((c) => !filter.date || c.localDate === filter.date),
    },
    query: {
      async query(sql) {
        calls.query.push(sql);
        if (/\b(copy|attach|create|insert|read_text)\b/i.test(sql))
          throw new QueryRejectedError('Permission Error: the query session is read-only');
        // `SELECT <n> rows`: n rows {i, text} in batches of 1000, to exercise the limits.
        const many = /^SELECT (\d+) rows$/.exec(sql);
        if (many) {
          const n = Number(many[1]);
          return {
            columns: ['i', 'text'],
            batches: (async function* () {
              for (let start = 0; start < n; start += 1000)
                yield Array.from({ length: Math.min(1000, n - start) }, (_, k) => ({
                  i: start + k,
                  text: 'abcdefghij',
                }));
            })(),
          };
        }
        return {
          columns: ['n'],
          batches: (async function* () {
            yield [{ n: 1 }];
          })(),
        };
      },
    },
    prod: {
      views: () => ['daily_averages', 'latest'],
      async rows(view, filter) {
        calls.prod.push({ view, filter });
        const rows = daily.filter(
          (r) =>
            (filter.locationId === undefined || r.location_id === filter.locationId) &&
            (filter.parameter === undefined || r.parameter === filter.parameter),
        );
        return { columns: Object.keys(daily[0]!), rows };
      },
      locations: async () => locations,
    },
  };
}

function check(name: string, status: 'pass' | 'fail', severity: 'error' | 'warn', date: string): CheckResult {
  return {
    check: name,
    table: 'measurements',
    partition: `year=2024/month=03/day=${date.slice(8)}`,
    localDate: date,
    severity,
    status,
    message: status === 'fail' ? `${name} failed` : null,
    observed: status === 'fail' ? 3 : 0,
    runId: null,
    checkedAt: `${date}T05:00:00.000Z`,
  };
}
