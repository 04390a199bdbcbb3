// The AWS engine against Glue, Athena and S3 mocked at the SDK boundary (aws-sdk-client-mock): the calls and their
// arguments, polling until done, failures surfacing AWS's own message, timeouts and cancels that stop the remote
// work, deploy's idempotence and plan, and the IAM policy holding every call the code makes.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  AthenaClient,
  CreateWorkGroupCommand,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  GetWorkGroupCommand,
  InvalidRequestException,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  UpdateWorkGroupCommand,
  type WorkGroupConfiguration,
} from '@aws-sdk/client-athena';
import {
  BatchCreatePartitionCommand,
  BatchStopJobRunCommand,
  CreateCrawlerCommand,
  CreateDatabaseCommand,
  CreateJobCommand,
  CreateTableCommand,
  DeleteTableCommand,
  EntityNotFoundException,
  GetCrawlerCommand,
  GetDatabaseCommand,
  GetJobCommand,
  GetJobRunCommand,
  GetTableCommand,
  GlueClient,
  StartCrawlerCommand,
  StartJobRunCommand,
  UpdateCrawlerCommand,
  UpdateJobCommand,
  UpdatePartitionCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-glue';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import 'aws-sdk-client-mock-vitest/extend';
import type { AwsClients } from '../src/engines/aws/aws-clients.js';
import { AwsEngine } from '../src/engines/aws/aws-engine.js';
import { type AwsSettings, defaultAwsSettings } from '../src/engines/aws/aws-settings.js';
import { deploy, formatPlan, planDeploy } from '../src/engines/aws/deploy.js';
import { GLUE_SCRIPT_PATH, sha256 } from '../src/engines/aws/glue-artifacts.js';
import { buildPolicy, iamActionOf, policyAllows } from '../src/engines/aws/iam-policy.js';
import { readChecks, readProdViews } from '../src/engines/aws/sql-files.js';
import { MEASUREMENTS_COLUMNS } from '../src/engines/duckdb/transform-measurements.js';
import { QUALITY_RULES_PATH } from '../src/engines/sql-files.js';
import { EngineError } from '../src/errors.js';
import { projectedYears } from '../src/lake/catalog/athena-ddl.js';
import { S3ObjectStore } from '../src/lake/store/s3/s3-store.js';
import { operationOf, requestErrors } from './helpers/aws-models.js';
import { crawlerReply } from './helpers/glue-replies.js';

// --- fakes ----------------------------------------------------------------------------------------------------------

const region = 'ap-southeast-1';
const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'not-a-secret' };

interface AwsFakes {
  clients: AwsClients;
  glue: AwsClientStub<GlueClient>;
  athena: AwsClientStub<AthenaClient>;
  s3: AwsClientStub<S3Client>;
  state: {
    databases: Set<string>;
    tables: Map<string, Record<string, unknown>>;
    jobs: Map<string, Record<string, unknown>>;
    crawlers: Map<string, Record<string, unknown>>;
    workgroups: Map<string, WorkGroupConfiguration>;
    objects: Map<string, Record<string, string>>;
  };
  /** Every command sent, as [service, command name, input]. */
  sent(): [service: 's3' | 'glue' | 'athena', command: string, input: Record<string, unknown>][];
  reset(): void;
}

const notFound = (what: string) =>
  new EntityNotFoundException({ message: `${what} not found`, $metadata: {} });

/** Mocks three fresh clients and wires the stateful Get/Create/Update handlers of deploy and the catalog. */
function createAwsFakes(): AwsFakes {
  const clients: AwsClients = {
    glue: new GlueClient({ region, credentials }),
    athena: new AthenaClient({ region, credentials }),
    s3: new S3Client({ region, credentials }),
  };
  const glue = mockClient(clients.glue);
  const athena = mockClient(clients.athena);
  const s3 = mockClient(clients.s3);
  const state: AwsFakes['state'] = {
    databases: new Set(),
    tables: new Map(),
    jobs: new Map(),
    crawlers: new Map(),
    workgroups: new Map(),
    objects: new Map(),
  };

  const wire = () => {
    glue.on(GetDatabaseCommand).callsFake((i: { Name: string }) => {
      if (!state.databases.has(i.Name)) throw notFound(`database ${i.Name}`);
      return { Database: { Name: i.Name } };
    });
    glue.on(CreateDatabaseCommand).callsFake((i: { DatabaseInput: { Name: string } }) => {
      state.databases.add(i.DatabaseInput.Name);
      return {};
    });
    glue.on(GetTableCommand).callsFake((i: { DatabaseName: string; Name: string }) => {
      const t = state.tables.get(`${i.DatabaseName}.${i.Name}`);
      if (!t) throw notFound(`table ${i.Name}`);
      return { Table: { ...t, DatabaseName: i.DatabaseName, CreateTime: new Date() } };
    });
    const putTable = (i: { DatabaseName: string; TableInput: { Name: string } }) => {
      state.tables.set(`${i.DatabaseName}.${i.TableInput.Name}`, structuredClone(i.TableInput));
      return {};
    };
    glue.on(CreateTableCommand).callsFake(putTable);
    glue.on(UpdateTableCommand).callsFake(putTable);
    glue.on(DeleteTableCommand).callsFake((i: { DatabaseName: string; Name: string }) => {
      state.tables.delete(`${i.DatabaseName}.${i.Name}`);
      return {};
    });
    glue.on(GetJobCommand).callsFake((i: { JobName: string }) => {
      const j = state.jobs.get(i.JobName);
      if (!j) throw notFound(`job ${i.JobName}`);
      return { Job: { ...j, Name: i.JobName, CreatedOn: new Date(), MaxCapacity: 2 } };
    });
    glue.on(CreateJobCommand).callsFake((i: { Name: string }) => {
      const { Name: _n, ...rest } = i;
      state.jobs.set(i.Name, structuredClone(rest));
      return { Name: i.Name };
    });
    glue.on(UpdateJobCommand).callsFake((i: { JobName: string; JobUpdate: Record<string, unknown> }) => {
      state.jobs.set(i.JobName, structuredClone(i.JobUpdate));
      return { JobName: i.JobName };
    });
    glue.on(GetCrawlerCommand).callsFake((i: { Name: string }) => {
      const c = state.crawlers.get(i.Name);
      if (!c) throw notFound(`crawler ${i.Name}`);
      return { Crawler: crawlerReply(i.Name, c) };
    });
    const putCrawler = (i: { Name: string }) => {
      const { Name: _n, ...rest } = i;
      state.crawlers.set(i.Name, structuredClone(rest));
      return {};
    };
    glue.on(CreateCrawlerCommand).callsFake(putCrawler);
    glue.on(UpdateCrawlerCommand).callsFake(putCrawler);
    glue.on(BatchCreatePartitionCommand).resolves({ Errors: [] });
    glue.on(UpdatePartitionCommand).resolves({});
    glue.on(BatchStopJobRunCommand).resolves({ SuccessfulSubmissions: [], Errors: [] });

    athena.on(GetWorkGroupCommand).callsFake((i: { WorkGroup: string }) => {
      const c = state.workgroups.get(i.WorkGroup);
      if (!c)
        throw new InvalidRequestException({
          message: `WorkGroup ${i.WorkGroup} is not found.`,
          $metadata: {},
        });
      return { WorkGroup: { Name: i.WorkGroup, State: 'ENABLED', Configuration: c } };
    });
    athena
      .on(CreateWorkGroupCommand)
      .callsFake((i: { Name: string; Configuration: WorkGroupConfiguration }) => {
        state.workgroups.set(i.Name, structuredClone(i.Configuration));
        return {};
      });
    athena.on(UpdateWorkGroupCommand).callsFake(
      (i: {
        WorkGroup: string;
        ConfigurationUpdates: {
          ResultConfigurationUpdates: { OutputLocation: string };
          EnforceWorkGroupConfiguration: boolean;
          BytesScannedCutoffPerQuery: number;
          EngineVersion: { SelectedEngineVersion: string };
        };
      }) => {
        const u = i.ConfigurationUpdates;
        state.workgroups.set(i.WorkGroup, {
          ResultConfiguration: { OutputLocation: u.ResultConfigurationUpdates.OutputLocation },
          EnforceWorkGroupConfiguration: u.EnforceWorkGroupConfiguration,
          BytesScannedCutoffPerQuery: u.BytesScannedCutoffPerQuery,
          EngineVersion: u.EngineVersion,
        });
        return {};
      },
    );
    athena.on(StopQueryExecutionCommand).resolves({});

    s3.on(HeadObjectCommand).callsFake((i: { Key: string }) => {
      const meta = state.objects.get(i.Key);
      if (!meta)
        throw new S3ServiceException({
          name: 'NotFound',
          $fault: 'client',
          $metadata: { httpStatusCode: 404 },
          message: 'Not Found',
        });
      return { ContentLength: 1, Metadata: meta, ETag: '"e"', LastModified: new Date() };
    });
    s3.on(PutObjectCommand).callsFake((i: { Key: string; Metadata?: Record<string, string> }) => {
      state.objects.set(i.Key, i.Metadata ?? {});
      return { ETag: '"e"' };
    });
  };
  wire();

  const sent: AwsFakes['sent'] = () =>
    (
      [
        ['glue', glue],
        ['athena', athena],
        ['s3', s3],
      ] as const
    ).flatMap(([service, stub]) =>
      stub.calls().map((c) => {
        const command = c.args[0] as unknown as {
          constructor: { name: string };
          input: Record<string, unknown>;
        };
        return [service, command.constructor.name, command.input] as [
          's3' | 'glue' | 'athena',
          string,
          Record<string, unknown>,
        ];
      }),
    );

  return {
    clients,
    glue,
    athena,
    s3,
    state,
    sent,
    reset() {
      glue.reset();
      athena.reset();
      s3.reset();
      wire();
    },
  };
}

/** An Athena query that succeeds at once and returns `rows` under `columns` (one page). */
function athenaAnswers(
  fakes: AwsFakes,
  answer: (sql: string) => { columns: [string, string][]; rows: (string | null)[][]; statementType?: string },
): void {
  let n = 0;
  const queries = new Map<string, string>();
  fakes.athena.on(StartQueryExecutionCommand).callsFake((i: { QueryString: string }) => {
    const id = `q${++n}`;
    queries.set(id, i.QueryString);
    return { QueryExecutionId: id };
  });
  fakes.athena.on(GetQueryExecutionCommand).callsFake((i: { QueryExecutionId: string }) => {
    const a = answer(queries.get(i.QueryExecutionId) ?? '');
    return {
      QueryExecution: {
        QueryExecutionId: i.QueryExecutionId,
        Status: { State: 'SUCCEEDED' },
        StatementType: a.statementType ?? 'DML',
        Statistics: { DataScannedInBytes: 100 },
      },
    };
  });
  fakes.athena.on(GetQueryResultsCommand).callsFake((i: { QueryExecutionId: string }) => {
    const a = answer(queries.get(i.QueryExecutionId) ?? '');
    const header = a.columns.map(([name]) => ({ VarCharValue: name }));
    return {
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: a.columns.map(([Name, Type]) => ({ Name, Label: Name, Type })) },
        Rows: [
          { Data: header },
          ...a.rows.map((r) => ({ Data: r.map((v) => (v === null ? {} : { VarCharValue: v })) })),
        ],
      },
    };
  });
}

// --- setup ----------------------------------------------------------------------------------------------------------

const ROLE = 'arn:aws:iam::123456789012:role/aqlake-glue';
const BUCKET = 'openaq-lake';
const SCRIPT_KEY = '_aws/glue/job_raw_to_dev.py';
const noSleep = async () => {};
/** A sleep that only ends when the poll is aborted (by a cancel or the deadline): no test waits on a clock. */
const sleepUntilAborted = (_ms: number, signal: AbortSignal) =>
  new Promise<void>((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });

function settings(overrides: Partial<AwsSettings> = {}): AwsSettings {
  return defaultAwsSettings({ bucket: BUCKET, glueRoleArn: ROLE, ...overrides });
}

function engineWith(
  fakes: AwsFakes,
  s: AwsSettings = settings(),
  extra: Partial<ConstructorParameters<typeof AwsEngine>[0]> = {},
) {
  return new AwsEngine({
    settings: s,
    clients: fakes.clients,
    newRunId: () => 'r1',
    poll: { glue: { sleep: noSleep }, athena: { sleep: noSleep } },
    ...extra,
  });
}

const objects = [
  {
    rawKey: 'raw/openaq/sensors_measurements/year=2024/month=03/day=06/s-7.json',
    path: '/cache/lake/raw/openaq/sensors_measurements/year=2024/month=03/day=06/s-7.json',
    sensorId: 7,
    locationId: 70,
    fetchedAt: '2024-03-06T01:00:00Z',
    windowFromUtc: '2024-03-04T00:00:00Z',
    windowToUtc: '2024-03-06T00:00:00Z',
    valid: true,
    validationError: null,
  },
];

const DAY5 = 'dev/_versions/measurements/2024-03-05/r1.parquet';
const QDAY5 = 'dev/_versions/_quarantine/measurements/2024-03-05/r1.parquet';
const stats = {
  run_id: 'r1',
  days: [
    {
      local_date: '2024-03-05',
      raw_rows: 26,
      rows: 24,
      quarantined_rows: 1,
      duplicates_dropped: 1,
      min_period_end_utc: '2024-03-05T08:00:00Z',
      max_period_end_utc: '2024-03-06T07:00:00Z',
      data_key: DAY5,
      data_bytes: 4321,
      quarantine_key: QDAY5,
      quarantine_bytes: 999,
    },
    {
      local_date: '2024-03-06',
      raw_rows: 0,
      rows: 0,
      quarantined_rows: 0,
      duplicates_dropped: 0,
      min_period_end_utc: null,
      max_period_end_utc: null,
      data_key: null,
      data_bytes: null,
      quarantine_key: null,
      quarantine_bytes: null,
    },
  ],
};

/** The S3 side of one successful Glue run: its stats file (naming the version objects it wrote). */
function glueOutputs(fakes: AwsFakes) {
  fakes.s3
    .on(GetObjectCommand, { Key: '_aws/glue/runs/r1/stats.json' })
    .resolves({ Body: { transformToString: async () => JSON.stringify(stats) } as never });
}

const transformInput = {
  fromDate: '2024-03-05',
  toDate: '2024-03-06',
  objects,
  locationFiles: [],
  locationKeys: ['dev/locations/part-1.parquet'],
  qualityRulesPath: 'sql/dev/quality-rules.json',
};

const LOCATIONS_KEY = transformInput.locationKeys[0]!;

/** Check parameters of a one-row version of 2024-03-05 (the checks' answers are mocked). */
const ONE_ROW_CHECK_PARAMS = {
  localDate: '2024-03-05',
  rawRows: 1,
  quarantinedRows: 0,
  duplicatesDropped: 0,
  minCoveragePct: 50,
  maxStalenessHours: 72,
  nowUtc: '2024-03-06T00:00:00Z',
  qualityRulesPath: 'sql/dev/quality-rules.json',
};

/** A dev.locations Parquet object (the columns the zone check reads), as the dimension transform writes it. */
async function locationsParquet(rows: [id: number, zone: string][]): Promise<Uint8Array> {
  const dir = await mkdtemp(join(tmpdir(), 'aqlake-locations-'));
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const values = rows.map(([id, zone]) => `(${id}::BIGINT, '${zone}')`).join(', ');
    const file = join(dir, 'l.parquet');
    await connection.run(
      `COPY (SELECT * FROM (VALUES ${values}) AS t(location_id, timezone)) TO '${file}' (FORMAT PARQUET)`,
    );
    return new Uint8Array(await readFile(file));
  } finally {
    connection.closeSync();
    instance.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}

/** dev.locations' current object in the mocked bucket. */
function serveLocations(f: AwsFakes, bytes: Uint8Array): void {
  f.s3.on(GetObjectCommand, { Key: LOCATIONS_KEY }).resolves({
    Body: Object.assign(Readable.from([Buffer.from(bytes)]), {
      transformToByteArray: async () => bytes,
    }) as never,
  });
}

let londonLocations: Uint8Array;
beforeAll(async () => {
  londonLocations = await locationsParquet([[70, 'Europe/London']]);
});

let fakes: AwsFakes;
beforeEach(() => {
  fakes = createAwsFakes();
  serveLocations(fakes, londonLocations);
});
afterEach(() => {
  // Every request the test made, mocked or not, must be one AWS's own model accepts.
  const problems = fakes
    .sent()
    .flatMap(([service, command, input]) => requestErrors(service, operationOf(command), input));
  fakes.glue.restore();
  fakes.athena.restore();
  fakes.s3.restore();
  expect(problems).toEqual([]);
});

// --- transform: the Glue job -------------------------------------------------------------------------------------

describe('AwsEngine transform on Glue', () => {
  // `aqlake aws deploy` put this checkout's script at the job's ScriptLocation (with its sha256).
  beforeEach(async () => {
    fakes.state.objects.set(SCRIPT_KEY, { sha256: sha256(await readFile(GLUE_SCRIPT_PATH)) });
  });

  it("uploads its content-addressed rules, starts the run with the day's arguments, polls until SUCCEEDED and reads what it wrote", async () => {
    glueOutputs(fakes);
    fakes.glue.on(StartJobRunCommand).resolves({ JobRunId: 'jr_1' });
    fakes.glue
      .on(GetJobRunCommand)
      .resolvesOnce({ JobRun: { JobRunState: 'STARTING' } })
      .resolvesOnce({ JobRun: { JobRunState: 'RUNNING' } })
      .resolves({ JobRun: { JobRunState: 'SUCCEEDED', ExecutionTime: 95, MaxCapacity: 2 } });
    const engine = engineWith(fakes);
    const out = await engine.transformMeasurementsInPlace(transformInput);

    const rules = sha256(await readFile(QUALITY_RULES_PATH));
    const rulesKey = `_aws/glue/quality-rules/${rules}.json`;
    expect(fakes.s3).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: BUCKET,
      Key: rulesKey,
      Metadata: { sha256: rules },
    });
    expect(out.rulesKey).toBe(rulesKey);
    expect(fakes.glue).toHaveReceivedCommandWith(StartJobRunCommand, {
      JobName: 'job_raw_to_dev',
      Arguments: {
        '--bucket': BUCKET,
        '--manifest_key': '_aws/glue/runs/r1/manifest.json',
        '--from_date': '2024-03-05',
        '--to_date': '2024-03-06',
        '--output_key_template': 'dev/_versions/measurements/{date}/r1.parquet',
        '--quarantine_key_template': 'dev/_versions/_quarantine/measurements/{date}/r1.parquet',
        '--tmp_prefix': '_aws/glue/tmp/',
        '--run_id': 'r1',
        '--rules_s3_key': rulesKey,
        '--stats_key': '_aws/glue/runs/r1/stats.json',
      },
    });
    expect(fakes.glue).toHaveReceivedCommandTimes(GetJobRunCommand, 3);
    expect(fakes.glue).toHaveReceivedCommandWith(GetJobRunCommand, {
      JobName: 'job_raw_to_dev',
      RunId: 'jr_1',
    });

    // The manifest carries the request context the records lack, and the store keys of dev.locations.
    const manifestPut = fakes.s3
      .commandCalls(PutObjectCommand)
      .find((c) => c.args[0].input.Key === '_aws/glue/runs/r1/manifest.json')!;
    const manifest = JSON.parse(String(manifestPut.args[0].input.Body)) as Record<string, unknown>;
    expect(manifest.location_keys).toEqual(['dev/locations/part-1.parquet']);
    expect(manifest.rules_key).toBe(rulesKey); // the run's record of the rules it ran with
    expect(manifest.objects).toEqual([
      {
        raw_key: objects[0]!.rawKey,
        sensor_id: 7,
        location_id: 70,
        fetched_at: '2024-03-06T01:00:00Z',
        window_from_utc: '2024-03-04T00:00:00Z',
        window_to_utc: '2024-03-06T00:00:00Z',
        valid: true,
        validation_error: null,
      },
    ]);

    expect(out.days.map((d) => [d.localDate, d.data, d.stats.rows])).toEqual([
      ['2024-03-05', { key: DAY5, bytes: 4321, rows: 24 }, 24],
      ['2024-03-06', null, 0],
    ]);
    expect(out.days[0]!.quarantine).toEqual({ key: QDAY5, bytes: 999, rows: 1 });
    expect(out.columns).toEqual(MEASUREMENTS_COLUMNS);
    expect(out.dpuSeconds).toBe(190);
    expect(engine.cost()).toMatchObject({ glueDpuSeconds: 190, glueJobRuns: 1 });
  });

  it('never writes the script: the run uses the deployed one, and the rules only when missing', async () => {
    glueOutputs(fakes);
    fakes.glue.on(StartJobRunCommand).resolves({ JobRunId: 'jr_1' });
    fakes.glue.on(GetJobRunCommand).resolves({ JobRun: { JobRunState: 'SUCCEEDED', DPUSeconds: 33 } });
    const engine = engineWith(fakes);
    await engine.transformMeasurementsInPlace(transformInput);
    await engine.transformMeasurementsInPlace(transformInput);
    const keys = fakes.s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key);
    expect(keys).not.toContain(SCRIPT_KEY);
    expect(keys.filter((k) => k!.startsWith('_aws/glue/quality-rules/'))).toHaveLength(1);
    expect(keys).toContain('_aws/glue/runs/r1/manifest.json');
    expect(engine.cost().glueDpuSeconds).toBe(66); // Glue's own DPUSeconds wins over time × capacity
  });

  it("refuses to run when the deployed script is not this checkout's (or missing), and says to deploy", async () => {
    for (const deployed of [{ sha256: 'f'.repeat(64) }, null]) {
      if (deployed) fakes.state.objects.set(SCRIPT_KEY, deployed);
      else fakes.state.objects.delete(SCRIPT_KEY);
      await expect(engineWith(fakes).transformMeasurementsInPlace(transformInput)).rejects.toThrow(
        /job_raw_to_dev\.py.*run `aqlake aws deploy`/,
      );
    }
    expect(fakes.glue).not.toHaveReceivedCommand(StartJobRunCommand);
    expect(fakes.s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key)).not.toContain(SCRIPT_KEY);
  });

  it("fails with the job's ErrorMessage when the run FAILED, and still counts its DPU-seconds", async () => {
    fakes.glue.on(StartJobRunCommand).resolves({ JobRunId: 'jr_9' });
    fakes.glue.on(GetJobRunCommand).resolves({
      JobRun: {
        JobRunState: 'FAILED',
        ErrorMessage: 'AnalysisException: Path does not exist: s3://openaq-lake/raw/x.json',
        ExecutionTime: 60,
        MaxCapacity: 2,
      },
    });
    const engine = engineWith(fakes);
    const err = await engine.transformMeasurementsInPlace(transformInput).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).message).toBe(
      'Glue job job_raw_to_dev run jr_9 FAILED: AnalysisException: Path does not exist: s3://openaq-lake/raw/x.json',
    );
    expect((err as EngineError).kind).toBe('Glue Job FAILED');
    expect(engine.cost().glueDpuSeconds).toBe(120);
    // Only dev.locations was read (for the zone check); the failed run's stats are not.
    const reads = fakes.s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key);
    expect(reads).toEqual([LOCATIONS_KEY]);
  });

  it('refuses a location whose zone Athena (Trino) does not know, before anything starts on Glue', async () => {
    serveLocations(
      fakes,
      await locationsParquet([
        [70, 'Europe/Kyiv'],
        [71, 'America/Ciudad_Juarez'],
      ]),
    );
    const err = await engineWith(fakes)
      .transformMeasurementsInPlace({
        ...transformInput,
        objects: [...objects, { ...objects[0]!, sensorId: 8, locationId: 71 }],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError & { retryable?: boolean }).retryable).toBe(false);
    expect((err as Error).message).toMatch(
      /^Athena \(Trino\) does not know the time zone of location 70 \("Europe\/Kyiv"\); location 71 \("America\/Ciudad_Juarez"\):/,
    );
    expect((err as Error).message).toMatch(/--locations/);
    expect(fakes.glue).not.toHaveReceivedCommand(StartJobRunCommand);
    expect(fakes.s3).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('checks only the locations the transform reads', async () => {
    serveLocations(
      fakes,
      await locationsParquet([
        [70, 'Europe/London'],
        [99, 'Europe/Kyiv'],
      ]),
    );
    glueOutputs(fakes);
    fakes.glue.on(StartJobRunCommand).resolves({ JobRunId: 'jr_1' });
    fakes.glue.on(GetJobRunCommand).resolves({ JobRun: { JobRunState: 'SUCCEEDED', DPUSeconds: 10 } });
    await engineWith(fakes).transformMeasurementsInPlace(transformInput);
    expect(fakes.glue).toHaveReceivedCommand(StartJobRunCommand);
  });

  it('stops the job run (BatchStopJobRun) when the run is cancelled', async () => {
    const controller = new AbortController();
    fakes.glue.on(StartJobRunCommand).resolves({ JobRunId: 'jr_2' });
    let polls = 0;
    fakes.glue.on(GetJobRunCommand).callsFake(() => {
      if (++polls === 2) controller.abort();
      return { JobRun: { JobRunState: 'RUNNING' } };
    });
    const err = await engineWith(fakes)
      .transformMeasurementsInPlace({ ...transformInput, signal: controller.signal })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).kind).toBe('Interrupted');
    expect(fakes.glue).toHaveReceivedCommandWith(BatchStopJobRunCommand, {
      JobName: 'job_raw_to_dev',
      JobRunIds: ['jr_2'],
    });
    expect(polls).toBe(2);
  });

  it('stops the job run when it outlives the timeout', async () => {
    fakes.glue.on(StartJobRunCommand).resolves({ JobRunId: 'jr_3' });
    fakes.glue.on(GetJobRunCommand).resolves({ JobRun: { JobRunState: 'RUNNING' } });
    const engine = engineWith(fakes, settings(), { poll: { glue: { sleep: sleepUntilAborted } } });
    const err = await engine
      .transformMeasurementsInPlace({ ...transformInput, timeoutMs: 20 })
      .catch((e: unknown) => e);
    expect((err as EngineError).kind).toBe('Timeout');
    expect((err as EngineError).message).toMatch(/jr_3 timed out after 20 ms; it was stopped/);
    expect(fakes.glue).toHaveReceivedCommandWith(BatchStopJobRunCommand, { JobRunIds: ['jr_3'] });
  });

  it('through the seam: returns the version objects as store keys, and downloads or deletes nothing', async () => {
    glueOutputs(fakes);
    fakes.glue.on(StartJobRunCommand).resolves({ JobRunId: 'jr_1' });
    fakes.glue.on(GetJobRunCommand).resolves({ JobRun: { JobRunState: 'SUCCEEDED', DPUSeconds: 10 } });
    const out = await engineWith(fakes).transformMeasurements({
      ...transformInput,
      workDir: '/nonexistent',
      archiveObjects: [
        {
          rawKey: 'raw/openaq/archive/locationid=70/year=2024/location-70-20240305.csv.gz',
          path: '',
          locationId: 70,
          localDate: '2024-03-05',
          fetchedAt: '2024-03-10T00:00:00Z',
          valid: true,
          validationError: null,
        },
      ],
      parameterKeys: ['raw/openaq/parameters/p-1.json'],
    });
    const day = out.days[0]!;
    expect(day.files).toEqual([]);
    expect(day.storedFiles).toEqual([
      { key: DAY5, rows: 24, bytes: 4321, kind: 'data' },
      { key: QDAY5, rows: 1, bytes: 999, kind: 'quarantine' },
    ]);
    expect(day.stats).toEqual({
      rawRows: 26,
      rows: 24,
      quarantinedRows: 1,
      duplicatesDropped: 1,
      minPeriodEndUtc: '2024-03-05T08:00:00Z',
      maxPeriodEndUtc: '2024-03-06T07:00:00Z',
    });
    // Archive objects go to the job by key, with the parameter snapshot for their ids.
    const manifestPut = fakes.s3
      .commandCalls(PutObjectCommand)
      .find((c) => c.args[0].input.Key === '_aws/glue/runs/r1/manifest.json')!;
    const manifest = JSON.parse(String(manifestPut.args[0].input.Body)) as Record<string, unknown>;
    expect(manifest.archive_objects).toEqual([
      {
        raw_key: 'raw/openaq/archive/locationid=70/year=2024/location-70-20240305.csv.gz',
        location_id: 70,
        file_date: '2024-03-05',
        fetched_at: '2024-03-10T00:00:00Z',
        valid: true,
        validation_error: null,
      },
    ]);
    expect(manifest.parameter_keys).toEqual(['raw/openaq/parameters/p-1.json']);
    // Nothing raw, nothing Glue wrote: only the small dev.locations built here (zone check) and the job's stats.
    const reads = fakes.s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key);
    expect(reads).toEqual([LOCATIONS_KEY, '_aws/glue/runs/r1/stats.json']);
    expect(fakes.s3).not.toHaveReceivedCommand(DeleteObjectsCommand);
  });
});

// --- catalog ---------------------------------------------------------------------------------------------------------

describe('AwsEngine catalog on the Glue Data Catalog', () => {
  it('declares partition projection over the layout, so a commit needs no partition call', async () => {
    const engine = engineWith(fakes);
    await engine.ensureTables();
    const m = fakes.state.tables.get('openaq_dev.measurements') as {
      Parameters: Record<string, string>;
      PartitionKeys: { Name: string }[];
      StorageDescriptor: { Location: string };
    };
    expect(m.StorageDescriptor.Location).toBe(`s3://${BUCKET}/dev/measurements/`);
    expect(m.PartitionKeys.map((k) => k.Name)).toEqual(['year', 'month', 'day']);
    expect(m.Parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.month.digits': '2',
      'projection.day.digits': '2',
      'storage.location.template': `s3://${BUCKET}/dev/measurements/year=\${year}/month=\${month}/day=\${day}/`,
    });
    // The same years as `aqlake catalog ddl` prints: one rule (projectedYears).
    expect(m.Parameters['projection.year.range']).toBe(projectedYears().join(','));
    const calls = fakes.sent().length;
    expect(await engine.refreshCatalog()).toBe('projection');
    expect(fakes.sent().length).toBe(calls);
  });

  it('runs the crawler instead when asked, and waits until it is READY', async () => {
    fakes.state.crawlers.set('aqlake_dev_crawler', { Targets: { S3Targets: [] } });
    fakes.glue.on(StartCrawlerCommand).resolves({});
    fakes.glue
      .on(GetCrawlerCommand)
      .resolvesOnce({ Crawler: { State: 'RUNNING' } })
      .resolvesOnce({ Crawler: { State: 'STOPPING' } })
      .resolves({ Crawler: { State: 'READY', LastCrawl: { Status: 'SUCCEEDED' } } });
    expect(await engineWith(fakes, settings({ useCrawler: true })).refreshCatalog()).toBe('crawled');
    expect(fakes.glue).toHaveReceivedCommandWith(StartCrawlerCommand, { Name: 'aqlake_dev_crawler' });
    expect(fakes.glue).toHaveReceivedCommandTimes(GetCrawlerCommand, 3);
  });
});

// --- Athena: queries, checks, views ----------------------------------------------------------------------------------

describe('AwsEngine queries on Athena', () => {
  it('binds parameters, polls until SUCCEEDED, reads every page and reports bytes scanned', async () => {
    fakes.athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q1' });
    fakes.athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { Status: { State: 'QUEUED' } } })
      .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
      .resolves({
        QueryExecution: {
          Status: { State: 'SUCCEEDED' },
          StatementType: 'DML',
          Statistics: { DataScannedInBytes: 123_456 },
        },
      });
    const info = [
      { Name: 'sensor_id', Label: 'sensor_id', Type: 'bigint' },
      { Name: 'value_avg', Label: 'value_avg', Type: 'double' },
      { Name: 'local_date', Label: 'local_date', Type: 'date' },
    ];
    const row = (...v: (string | null)[]) => ({
      Data: v.map((x) => (x === null ? {} : { VarCharValue: x })),
    });
    fakes.athena
      .on(GetQueryResultsCommand)
      .resolvesOnce({
        ResultSet: {
          ResultSetMetadata: { ColumnInfo: info },
          Rows: [row('sensor_id', 'value_avg', 'local_date'), row('7', '12.5', '2024-03-05')],
        },
        NextToken: 'page2',
      })
      .resolves({
        ResultSet: { ResultSetMetadata: { ColumnInfo: info }, Rows: [row('7', null, '2024-03-06')] },
      });

    const engine = engineWith(fakes);
    const session = await engine.openReadOnlySession({ tables: [], allowedDirectories: [] });
    const result = await session.query('SELECT * FROM prod.daily_averages WHERE sensor_id = $sensor', {
      params: { sensor: 7 },
    });
    expect(fakes.athena).toHaveReceivedCommandWith(StartQueryExecutionCommand, {
      QueryString: 'SELECT * FROM openaq_prod.daily_averages WHERE sensor_id = ?',
      ExecutionParameters: ['7'],
      WorkGroup: 'aqlake',
    });
    expect(fakes.athena).toHaveReceivedCommandTimes(GetQueryExecutionCommand, 3);
    expect(fakes.athena).toHaveReceivedNthCommandWith(GetQueryResultsCommand, 2, {
      QueryExecutionId: 'q1',
      NextToken: 'page2',
    });
    expect(result.columns.map((c) => c.name)).toEqual(['sensor_id', 'value_avg', 'local_date']);
    expect(result.rows).toEqual([
      [7, 12.5, '2024-03-05'],
      [7, null, '2024-03-06'],
    ]);
    expect(engine.cost()).toMatchObject({ athenaBytesScanned: 123_456, athenaQueries: 1 });
    expect(session.views).toContain('prod.daily_averages');
  });

  it("fails with Athena's reason when the query FAILED", async () => {
    fakes.athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q2' });
    fakes.athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: {
        Status: {
          State: 'FAILED',
          StateChangeReason: "COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved",
          AthenaError: { ErrorMessage: "COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved" },
        },
      },
    });
    const session = await engineWith(fakes).openReadOnlySession({ tables: [], allowedDirectories: [] });
    const err = await session.query('SELECT nope FROM prod.latest').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).message).toBe(
      "Athena query q2 FAILED: COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved",
    );
    expect((err as EngineError).sql).toBe('SELECT nope FROM openaq_prod.latest');
    expect(fakes.athena).not.toHaveReceivedCommand(GetQueryResultsCommand);
  });

  it('stops the query (StopQueryExecution) on cancel and on timeout', async () => {
    fakes.athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q3' });
    const controller = new AbortController();
    fakes.athena.on(GetQueryExecutionCommand).callsFake(() => {
      controller.abort();
      return { QueryExecution: { Status: { State: 'RUNNING' } } };
    });
    const session = await engineWith(fakes).openReadOnlySession({ tables: [], allowedDirectories: [] });
    const cancelled = await session.query('SELECT 1', { signal: controller.signal }).catch((e: unknown) => e);
    expect((cancelled as EngineError).kind).toBe('Interrupted');
    expect(fakes.athena).toHaveReceivedCommandWith(StopQueryExecutionCommand, { QueryExecutionId: 'q3' });

    fakes.reset();
    fakes.athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q4' });
    fakes.athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'RUNNING' } } });
    const slow = await engineWith(fakes, settings(), {
      poll: { athena: { sleep: sleepUntilAborted } },
    }).openReadOnlySession({
      tables: [],
      allowedDirectories: [],
    });
    const timedOut = await slow.query('SELECT 1', { timeoutMs: 20 }).catch((e: unknown) => e);
    expect((timedOut as EngineError).kind).toBe('Timeout');
    expect(fakes.athena).toHaveReceivedCommandWith(StopQueryExecutionCommand, { QueryExecutionId: 'q4' });
  });

  it('refuses statements that would change anything before Athena sees them', async () => {
    const session = await engineWith(fakes).openReadOnlySession({ tables: [], allowedDirectories: [] });
    await expect(session.query('DROP TABLE prod.latest')).rejects.toThrow(/read-only/);
    await expect(session.query('SELECT 1; DROP TABLE x')).rejects.toThrow(/one statement at a time/);
    expect(fakes.athena).not.toHaveReceivedCommand(StartQueryExecutionCommand);
  });
});

describe('AwsEngine checks and prod views on Athena', () => {
  const partitionKey = 'dev/_versions/measurements/2024-03-05/v1.parquet';

  it("runs every measurements check over exactly the version's files, with bound parameters, then drops the scratch table", async () => {
    athenaAnswers(fakes, (sql) => ({
      columns: [
        ['status', 'varchar'],
        ['observed', 'bigint'],
        ['message', 'varchar'],
      ],
      rows: [
        [
          sql.includes('check: unique_sensor_period') ? 'fail' : 'pass',
          sql.includes('check: unique_sensor_period') ? '3' : '0',
          'ok',
        ],
      ],
    }));
    const engine = engineWith(fakes);
    const outcomes = await engine.checkPartition({
      partition: {
        table: 'measurements',
        paths: [],
        keys: [partitionKey],
        columns: MEASUREMENTS_COLUMNS,
      },
      params: {
        localDate: '2024-03-05',
        rawRows: 26,
        quarantinedRows: 1,
        duplicatesDropped: 1,
        minCoveragePct: 50,
        maxStalenessHours: 72,
        nowUtc: '2024-03-06T03:30:00.000Z',
        qualityRulesPath: 'sql/dev/quality-rules.json',
      },
    });
    const checks = readChecks().filter((c) => c.table === 'measurements');
    expect(outcomes.map((o) => o.check).sort()).toEqual(checks.map((c) => c.name).sort());
    expect(outcomes.find((o) => o.check === 'unique_sensor_period')).toMatchObject({
      status: 'fail',
      observed: 3,
      severity: 'error',
    });
    expect(outcomes.filter((o) => o.status === 'pass')).toHaveLength(checks.length - 1);

    // The scratch table points at the version's folder; each check reads only the version's files.
    const created = fakes.glue.commandCalls(CreateTableCommand)[0]!.args[0].input;
    expect(created.DatabaseName).toBe('openaq_check');
    expect(created.TableInput?.StorageDescriptor?.Location).toBe(
      `s3://${BUCKET}/dev/_versions/measurements/2024-03-05/`,
    );
    // Not partitioned (a partitioned table with no partitions and no projection reads nothing on Athena).
    expect(created.TableInput?.PartitionKeys).toEqual([]);
    expect(created.TableInput?.Parameters?.['projection.enabled']).toBeUndefined();
    for (const call of fakes.athena.commandCalls(StartQueryExecutionCommand))
      expect(call.args[0].input.QueryExecutionContext).toEqual({
        Catalog: 'AwsDataCatalog',
        Database: 'openaq_check',
      });
    for (const call of fakes.athena.commandCalls(StartQueryExecutionCommand)) {
      const q = call.args[0].input.QueryString!;
      expect(q).toContain(`"$path" IN ('s3://${BUCKET}/${partitionKey}')`);
      expect(q).not.toMatch(/openaq_dev\.measurements/);
    }
    const reconciliation = fakes.athena
      .commandCalls(StartQueryExecutionCommand)
      .map((c) => c.args[0].input)
      .find((i) => i.QueryString!.includes('check: reconciliation'))!;
    expect(new Set(reconciliation.ExecutionParameters)).toEqual(new Set(['26', '1']));
    const freshness = fakes.athena
      .commandCalls(StartQueryExecutionCommand)
      .map((c) => c.args[0].input)
      .find((i) => i.QueryString!.includes('check: freshness'))!;
    expect(freshness.ExecutionParameters).toContain("'2024-03-06 03:30:00'");
    expect(fakes.glue).toHaveReceivedCommandWith(DeleteTableCommand, {
      DatabaseName: 'openaq_check',
      Name: created.TableInput!.Name,
    });
    expect(fakes.state.tables.has(`openaq_check.${created.TableInput!.Name}`)).toBe(false);
  });

  it('gives two versions of the same day their own scratch tables, so checking both at once drops neither', async () => {
    athenaAnswers(fakes, () => ({
      columns: [
        ['status', 'varchar'],
        ['observed', 'bigint'],
        ['message', 'varchar'],
      ],
      rows: [['pass', '0', 'ok']],
    }));
    const engine = engineWith(fakes);
    const check = (key: string) =>
      engine.checkPartition({
        partition: { table: 'measurements', paths: [], keys: [key], columns: MEASUREMENTS_COLUMNS },
        params: ONE_ROW_CHECK_PARAMS,
      });
    await Promise.all([check(partitionKey), check(partitionKey.replace('v1', 'v2'))]);
    const names = fakes.glue.commandCalls(CreateTableCommand).map((c) => c.args[0].input.TableInput!.Name);
    expect(names).toHaveLength(2);
    expect(new Set(names).size).toBe(2);
    // Each version's checks read its own table.
    const queried = fakes.athena
      .commandCalls(StartQueryExecutionCommand)
      .map((c) => /openaq_check\.(\w+)/.exec(c.args[0].input.QueryString!)![1]);
    expect(new Set(queried)).toEqual(new Set(names));
  });

  it('publishes every prod view, in dependency order, as CREATE OR REPLACE VIEW in the prod database', async () => {
    athenaAnswers(fakes, () => ({ columns: [], rows: [], statementType: 'DDL' }));
    const views = await engineWith(fakes).createProdViews([]);
    const names = readProdViews().map((v) => v.name);
    expect(views).toEqual(names.map((n) => `openaq_prod.${n}`));
    const ddl = fakes.athena
      .commandCalls(StartQueryExecutionCommand)
      .map((c) => c.args[0].input.QueryString!);
    expect(ddl.map((q) => /^CREATE OR REPLACE VIEW (\S+) AS/.exec(q)?.[1])).toEqual(
      names.map((n) => `openaq_prod.${n}`),
    );
    // the dev tables exist (declared in code) before views over them are stored
    expect(fakes.state.tables.has('openaq_dev.measurements')).toBe(true);
  });
});

// --- deploy and plan ------------------------------------------------------------------------------------------------

describe('aqlake aws deploy and plan', () => {
  const CREATES = [
    CreateDatabaseCommand,
    CreateTableCommand,
    UpdateTableCommand,
    CreateJobCommand,
    UpdateJobCommand,
    CreateCrawlerCommand,
    UpdateCrawlerCommand,
    CreateWorkGroupCommand,
    UpdateWorkGroupCommand,
  ];

  it('plan on an empty account lists what deploy will create and changes nothing', async () => {
    const steps = await planDeploy(fakes.clients, settings({ useCrawler: true }));
    expect(steps.filter((s) => s.change === 'create').map((s) => `${s.kind} ${s.name}`)).toEqual([
      'database openaq_dev',
      'database openaq_prod',
      'database openaq_check',
      'table openaq_dev.measurements',
      'table openaq_dev.measurements_quarantine',
      'job job_raw_to_dev',
      'crawler aqlake_dev_crawler',
      'workgroup aqlake',
    ]);
    for (const c of CREATES)
      expect(fakes.glue.commandCalls(c as never).length + fakes.athena.commandCalls(c as never).length).toBe(
        0,
      );
    expect(fakes.s3).not.toHaveReceivedCommand(PutObjectCommand);
    expect(formatPlan(steps)).toMatch(/^\+ create database openaq_dev$/m);
    expect(formatPlan(steps)).toMatch(/^10 changes$/m);
  });

  it('deploy creates everything once; a second deploy makes no Create, Update or upload call', async () => {
    const s = settings({ useCrawler: true });
    await deploy(fakes.clients, s);
    expect(fakes.glue).toHaveReceivedCommandWith(CreateJobCommand, {
      Name: 'job_raw_to_dev',
      Role: ROLE,
      GlueVersion: '5.0',
      Command: {
        Name: 'glueetl',
        ScriptLocation: `s3://${BUCKET}/_aws/glue/job_raw_to_dev.py`,
        PythonVersion: '3',
      },
      WorkerType: 'G.1X',
      NumberOfWorkers: 2,
    });
    expect(fakes.athena).toHaveReceivedCommandWith(CreateWorkGroupCommand, {
      Name: 'aqlake',
      Configuration: expect.objectContaining({
        ResultConfiguration: { OutputLocation: `s3://${BUCKET}/_aws/athena-results/` },
        EnforceWorkGroupConfiguration: true,
      }),
    });

    fakes.reset();
    const again = await deploy(fakes.clients, s);
    expect(again.every((step) => step.change === 'none')).toBe(true);
    for (const c of CREATES)
      expect(fakes.glue.commandCalls(c as never).length + fakes.athena.commandCalls(c as never).length).toBe(
        0,
      );
    expect(fakes.s3).not.toHaveReceivedCommand(PutObjectCommand);
    expect(fakes.glue).toHaveReceivedCommand(GetJobCommand);
    expect(fakes.athena).toHaveReceivedCommand(GetWorkGroupCommand);
    expect(formatPlan(again)).toMatch(/nothing to change$/);
  });

  it('plan shows the one thing that differs, and deploy updates only it', async () => {
    await deploy(fakes.clients, settings());
    fakes.reset();
    const bigger = settings({ glueWorkers: 10 });
    const plan = await planDeploy(fakes.clients, bigger);
    expect(plan.filter((p) => p.change !== 'none')).toEqual([
      { kind: 'job', name: 'job_raw_to_dev', change: 'update', detail: 'NumberOfWorkers' },
    ]);
    expect(fakes.glue).not.toHaveReceivedCommand(UpdateJobCommand);
    await deploy(fakes.clients, bigger);
    expect(fakes.glue).toHaveReceivedCommandTimes(UpdateJobCommand, 1);
    expect(fakes.glue).toHaveReceivedCommandWith(UpdateJobCommand, {
      JobName: 'job_raw_to_dev',
      JobUpdate: expect.objectContaining({ NumberOfWorkers: 10 }),
    });
  });

  it('refuses to deploy the job without the role it runs as', async () => {
    await expect(deploy(fakes.clients, settings({ glueRoleArn: null }))).rejects.toThrow(
      /AQLAKE_GLUE_ROLE_ARN/,
    );
  });
});

// --- the IAM policy holds every call ----------------------------------------------------------------------------------

/** The ARN IAM checks for one SDK call, from its input (as IAM's service authorization reference defines it). */
function resourceOf(
  service: 's3' | 'glue' | 'athena',
  command: string,
  input: Record<string, unknown>,
  s: AwsSettings,
): string[] | string | undefined {
  const acct = '123456789012';
  const glue = (what: string) => `arn:aws:glue:${s.region}:${acct}:${what}`;
  if (service === 's3') {
    // DeleteObjects is authorized as s3:DeleteObject on each key it names.
    const keys =
      command === 'DeleteObjectsCommand'
        ? (input.Delete as { Objects: { Key: string }[] }).Objects.map((o) => o.Key)
        : input.Key
          ? [input.Key as string]
          : [];
    return keys.length > 0
      ? keys.map((k) => `arn:aws:s3:::${input.Bucket}/${k}`)
      : [`arn:aws:s3:::${input.Bucket}`];
  }
  if (service === 'athena') {
    const wg = (input.WorkGroup ?? input.Name) as string | undefined;
    return wg ? `arn:aws:athena:${s.region}:${acct}:workgroup/${wg}` : undefined;
  }
  if (/JobRun|Job$/.test(command.replace(/Command$/, '')))
    return glue(`job/${(input.JobName ?? input.Name) as string}`);
  if (/Crawler/.test(command)) return glue(`crawler/${input.Name as string}`);
  if (/Database/.test(command))
    return glue(`database/${(input.Name ?? (input.DatabaseInput as { Name: string })?.Name) as string}`);
  const db = input.DatabaseName as string | undefined;
  const table = (input.TableName ??
    input.Name ??
    (input.TableInput as { Name?: string } | undefined)?.Name) as string;
  return db ? glue(`table/${db}/${table}`) : undefined;
}

describe('aqlake aws policy', () => {
  it('allows every AWS call the code makes — deploy, transform, catalog, crawler, checks, views, queries, the S3 store — on its resource', async () => {
    const s = settings({ useCrawler: false });
    const engine = engineWith(fakes, s);
    await deploy(fakes.clients, settings({ useCrawler: true }));

    glueOutputs(fakes);
    fakes.glue.on(StartJobRunCommand).resolves({ JobRunId: 'jr_1' });
    fakes.glue.on(GetJobRunCommand).resolves({ JobRun: { JobRunState: 'SUCCEEDED', DPUSeconds: 1 } });
    fakes.s3.on(GetObjectCommand).callsFake((i: { Key: string }) => ({
      Body: Object.assign(Readable.from([Buffer.from('x')]), {
        transformToString: async () => JSON.stringify(stats),
        transformToByteArray: async () => (i.Key === LOCATIONS_KEY ? londonLocations : new Uint8Array([1])),
      }),
    }));
    fakes.s3.on(DeleteObjectsCommand).resolves({});
    const workDir = await mkdtemp(join(tmpdir(), 'aqlake-aws-policy-'));
    try {
      await engine.transformMeasurements({ ...transformInput, workDir });
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
    await engine.refreshCatalog();
    fakes.glue.on(StartCrawlerCommand).resolves({});
    await engineWith(fakes, settings({ useCrawler: true })).refreshCatalog();

    athenaAnswers(fakes, (sql) =>
      sql.startsWith('CREATE')
        ? { columns: [], rows: [], statementType: 'DDL' }
        : {
            columns: [
              ['status', 'varchar'],
              ['observed', 'bigint'],
              ['message', 'varchar'],
            ],
            rows: [['pass', '0', 'ok']],
          },
    );
    await engine.createProdViews([]);
    await engine.checkPartition({
      partition: {
        table: 'measurements',
        paths: [],
        keys: ['dev/_versions/measurements/2024-03-05/v1.parquet'],
        columns: MEASUREMENTS_COLUMNS,
      },
      params: ONE_ROW_CHECK_PARAMS,
    });
    const session = await engine.openReadOnlySession({ tables: [], allowedDirectories: [] });
    await session.query('SELECT 1');

    // Cancels stop the remote work: BatchStopJobRun and StopQueryExecution are calls the policy must allow too.
    const cancel = new AbortController();
    fakes.glue.on(GetJobRunCommand).callsFake(() => {
      cancel.abort();
      return { JobRun: { JobRunState: 'RUNNING' } };
    });
    await expect(
      engine.transformMeasurementsInPlace({ ...transformInput, signal: cancel.signal }),
    ).rejects.toThrow(/cancelled/);
    const cancelQuery = new AbortController();
    fakes.athena.on(GetQueryExecutionCommand).callsFake(() => {
      cancelQuery.abort();
      return { QueryExecution: { Status: { State: 'RUNNING' } } };
    });
    await expect(session.query('SELECT 2', { signal: cancelQuery.signal })).rejects.toThrow(/cancelled/);

    // The lake's own S3 traffic (extract, upload, vacuum) through the S3 store.
    const store = new S3ObjectStore({
      client: fakes.clients.s3,
      bucket: BUCKET,
      cacheDir: join(tmpdir(), 'aqlake-policy-cache'),
    });
    fakes.s3.on(ListObjectsV2Command).resolves({ Contents: [] });
    await store.put('raw/openaq/locations/year=2024/month=03/day=06/l.json', '{}', { ifAbsent: true });
    await store.head('raw/openaq/locations/year=2024/month=03/day=06/l.json');
    await store.get('dev/measurements/year=2024/month=03/day=05/part-1.parquet');
    for await (const _ of store.list('raw/')) void _;
    await store.delete('dev/measurements/year=2024/month=03/day=05/part-0.parquet');

    const policy = buildPolicy({ settings: settings({ useCrawler: true }), accountId: '123456789012' });
    const calls = fakes.sent();
    const commands = new Set(calls.map(([service, command]) => `${service}:${command}`));
    // The tour really covered each step.
    for (const c of [
      'glue:StartJobRunCommand',
      'glue:BatchStopJobRunCommand',
      'glue:StartCrawlerCommand',
      'glue:CreateJobCommand',
      'glue:DeleteTableCommand',
      'athena:StartQueryExecutionCommand',
      'athena:GetQueryResultsCommand',
      'athena:CreateWorkGroupCommand',
      's3:ListObjectsV2Command',
      'athena:StopQueryExecutionCommand',
    ])
      expect(commands).toContain(c);
    const refused = calls
      .map(([service, command, input]) => ({
        action: iamActionOf(service, command),
        resource: resourceOf(service, command, input, settings({ useCrawler: true })),
      }))
      .filter(({ action, resource }) =>
        Array.isArray(resource)
          ? resource.some((r) => !policyAllows(policy, action, r))
          : !policyAllows(policy, action, resource),
      );
    expect(refused).toEqual([]);
    // Queries and the Glue job need the catalog and the bucket on the user's behalf too.
    for (const a of ['glue:GetTable', 'glue:GetPartitions', 's3:GetBucketLocation', 'iam:PassRole'])
      expect(policyAllows(policy, a)).toBe(true);
    // Athena reads (and may create) the region's `default` database for every query, on the caller's rights.
    const glueArn = (what: string) => `arn:aws:glue:${region}:123456789012:${what}`;
    for (const a of ['glue:GetDatabase', 'glue:CreateDatabase'])
      for (const r of [glueArn('catalog'), glueArn('database/default')])
        expect(policyAllows(policy, a, r), `${a} on ${r}`).toBe(true);
    // And every statement names its database: nothing runs in `default`.
    for (const call of fakes.athena.commandCalls(StartQueryExecutionCommand))
      expect(call.args[0].input.QueryExecutionContext?.Database).toMatch(/^openaq_(prod|check)$/);
    // Least privilege: raw/ is never deleted, and nothing is granted on every resource.
    expect(policyAllows(policy, 's3:DeleteObject', `arn:aws:s3:::${BUCKET}/raw/openaq/x.json`)).toBe(false);
    expect(policy.Statement.flatMap((st) => st.Resource)).not.toContain('*');
    expect(policy.Statement.find((st) => st.Action.includes('iam:PassRole'))?.Resource).toEqual([ROLE]);
    // Partitions are projected: the user writes none (the crawler's role adds them when one is used).
    for (const a of ['glue:BatchCreatePartition', 'glue:UpdatePartition', 'glue:CreatePartition'])
      expect(policyAllows(policy, a), a).toBe(false);
    // Athena's documented permissions on the query-results location.
    const results = `arn:aws:s3:::${BUCKET}/${settings({}).athenaOutputPrefix}x.csv`;
    expect(policyAllows(policy, 's3:ListBucketMultipartUploads', `arn:aws:s3:::${BUCKET}`)).toBe(true);
    expect(policyAllows(policy, 's3:ListMultipartUploadParts', results)).toBe(true);
  });
});
