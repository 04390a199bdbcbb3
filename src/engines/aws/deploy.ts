// aqlake aws deploy / plan: the Glue databases, tables, job (and its script), optional crawler and the Athena
// workgroup, each read first (Get*) and created or updated only where it differs from what the code declares.

import { readFile } from 'node:fs/promises';
import {
  type AthenaClient,
  CreateWorkGroupCommand,
  GetWorkGroupCommand,
  UpdateWorkGroupCommand,
  type WorkGroupConfiguration,
} from '@aws-sdk/client-athena';
import {
  type CrawlerTargets,
  CreateCrawlerCommand,
  CreateDatabaseCommand,
  CreateJobCommand,
  type CreateJobCommandInput,
  EntityNotFoundException,
  GetCrawlerCommand,
  GetDatabaseCommand,
  GetJobCommand,
  type GlueClient,
  type JobUpdate,
  UpdateCrawlerCommand,
  UpdateJobCommand,
} from '@aws-sdk/client-glue';
import type { S3Client } from '@aws-sdk/client-s3';
import { ConfigError } from '../../errors.js';
import { QUALITY_RULES_PATH } from '../sql-files.js';
import type { AwsSettings } from './aws-settings.js';
import { GLUE_SCRIPT_PATH, rulesKey, scriptKey, syncBytes } from './glue-artifacts.js';
import { ensureTable } from './glue-catalog.js';
import { MEASUREMENTS_QUARANTINE_TABLE, MEASUREMENTS_TABLE } from './glue-tables.js';
import { parseRoleArn } from './iam-role.js';

type Change = 'create' | 'update' | 'none';

export interface DeployStep {
  kind: 'database' | 'table' | 'script' | 'job' | 'crawler' | 'workgroup' | 'role' | 'role-policy';
  name: string;
  change: Change;
  /** What differs, for an update. */
  detail?: string;
}

export interface DeployClients {
  glue: GlueClient;
  athena: AthenaClient;
  s3: S3Client;
}

const ATHENA_ENGINE = 'Athena engine version 3';

/** What deploy would change, changing nothing. */
export function planDeploy(clients: DeployClients, settings: AwsSettings): Promise<DeployStep[]> {
  return reconcile(clients, settings, false);
}

/** Creates or updates what differs; a second deploy right after the first changes nothing. */
export function deploy(clients: DeployClients, settings: AwsSettings): Promise<DeployStep[]> {
  return reconcile(clients, settings, true);
}

async function reconcile(
  clients: DeployClients,
  settings: AwsSettings,
  apply: boolean,
): Promise<DeployStep[]> {
  const steps: DeployStep[] = [];
  const { glue, athena, s3 } = clients;
  for (const db of [settings.devDatabase, settings.prodDatabase, settings.checkDatabase])
    steps.push(await ensureDatabase(glue, db, apply));
  for (const table of [MEASUREMENTS_TABLE, MEASUREMENTS_QUARANTINE_TABLE]) {
    const change = await ensureTable(glue, settings.devDatabase, table, settings.bucket, { dryRun: !apply });
    steps.push({ kind: 'table', name: `${settings.devDatabase}.${table.name}`, change: tableChange(change) });
  }
  const script = await readFile(GLUE_SCRIPT_PATH);
  const rules = await readFile(QUALITY_RULES_PATH);
  for (const [key, bytes, type] of [
    [scriptKey(settings.glueArtifactsPrefix), script, 'text/x-python'],
    [rulesKey(settings.glueArtifactsPrefix, rules), rules, 'application/json'],
  ] as const) {
    const a = await syncBytes(s3, settings.bucket, key, bytes, type, { dryRun: !apply });
    steps.push({
      kind: 'script',
      name: `s3://${settings.bucket}/${key}`,
      change: a.uploaded ? 'update' : 'none',
      ...(a.uploaded ? { detail: `sha256 ${a.sha256.slice(0, 12)}` } : {}),
    });
  }
  steps.push(await ensureJob(glue, settings, apply));
  if (settings.useCrawler) steps.push(await ensureCrawler(glue, settings, apply));
  steps.push(await ensureWorkgroup(athena, settings, apply));
  return steps;
}

function tableChange(c: 'created' | 'updated' | 'unchanged'): Change {
  return c === 'created' ? 'create' : c === 'updated' ? 'update' : 'none';
}

async function ensureDatabase(glue: GlueClient, name: string, apply: boolean): Promise<DeployStep> {
  try {
    await glue.send(new GetDatabaseCommand({ Name: name }));
    return { kind: 'database', name, change: 'none' };
  } catch (err) {
    if (!(err instanceof EntityNotFoundException)) throw err;
  }
  if (apply)
    await glue.send(
      new CreateDatabaseCommand({
        DatabaseInput: { Name: name, Description: 'aqlake: OpenAQ lakehouse (created by aqlake aws deploy)' },
      }),
    );
  return { kind: 'database', name, change: 'create' };
}

/** The job as the code declares it: what CreateJob takes but its name (and what UpdateJob's JobUpdate takes). */
function jobDefinition(settings: AwsSettings): Omit<CreateJobCommandInput, 'Name'> {
  if (!settings.glueRoleArn)
    throw new ConfigError(
      'AQLAKE_GLUE_ROLE_ARN',
      'required to deploy the Glue job: the IAM role it runs as',
      'environment',
    );
  return {
    Description: 'aqlake: raw OpenAQ measurements → dev.measurements (Snappy Parquet)',
    Role: settings.glueRoleArn,
    Command: {
      Name: 'glueetl',
      ScriptLocation: `s3://${settings.bucket}/${scriptKey(settings.glueArtifactsPrefix)}`,
      PythonVersion: '3',
    },
    // Glue 5.0: Spark 3.5, Python 3.11; TIMESTAMP_NTZ columns (Spark ≥ 3.4) keep local and AWS files one schema.
    GlueVersion: '5.0',
    WorkerType: 'G.1X',
    NumberOfWorkers: settings.glueWorkers,
    Timeout: settings.glueTimeoutMinutes,
    MaxRetries: 0,
    ExecutionProperty: { MaxConcurrentRuns: 4 },
    DefaultArguments: {
      '--job-language': 'python',
      '--TempDir': `s3://${settings.bucket}/${settings.glueArtifactsPrefix}tmp/`,
    },
  };
}

async function ensureJob(glue: GlueClient, settings: AwsSettings, apply: boolean): Promise<DeployStep> {
  const wanted = jobDefinition(settings);
  let current: JobUpdate | undefined;
  try {
    current = (await glue.send(new GetJobCommand({ JobName: settings.jobName }))).Job;
  } catch (err) {
    if (!(err instanceof EntityNotFoundException)) throw err;
  }
  if (!current) {
    if (apply) await glue.send(new CreateJobCommand({ Name: settings.jobName, ...wanted }));
    return { kind: 'job', name: settings.jobName, change: 'create' };
  }
  const diff = differences(current as Record<string, unknown>, wanted as Record<string, unknown>);
  if (diff.length === 0) return { kind: 'job', name: settings.jobName, change: 'none' };
  if (apply) await glue.send(new UpdateJobCommand({ JobName: settings.jobName, JobUpdate: wanted }));
  return { kind: 'job', name: settings.jobName, change: 'update', detail: diff.join(', ') };
}

/**
 * The crawler crawls the existing tables (catalog targets), so it reads only their locations — never `_versions/`
 * or anything else in the bucket — and never creates tables. Athena does not need it (the tables use partition
 * projection, and Athena ignores registered partitions then); it is kept for Glue consumers that list partitions.
 */
function crawlerTargets(settings: AwsSettings): CrawlerTargets {
  return {
    CatalogTargets: [
      {
        DatabaseName: settings.devDatabase,
        Tables: [MEASUREMENTS_TABLE.name, MEASUREMENTS_QUARANTINE_TABLE.name],
      },
    ],
  };
}

/** New partitions take the table's schema instead of one the crawler infers. */
const CRAWLER_CONFIGURATION = JSON.stringify({
  Version: 1.0,
  CrawlerOutput: { Partitions: { AddOrUpdateBehavior: 'InheritFromTable' } },
});

/** GetCrawler returns the role's name where CreateCrawler took its ARN: compare names. */
function roleName(roleOrArn: string | undefined | null): string | undefined {
  if (!roleOrArn) return undefined;
  return roleOrArn.startsWith('arn:') ? parseRoleArn(roleOrArn).roleName : roleOrArn;
}

async function ensureCrawler(glue: GlueClient, settings: AwsSettings, apply: boolean): Promise<DeployStep> {
  if (!settings.glueRoleArn)
    throw new ConfigError(
      'AQLAKE_GLUE_ROLE_ARN',
      'required to deploy the Glue crawler: the IAM role it runs as',
      'environment',
    );
  const wanted = {
    Role: settings.glueRoleArn,
    Targets: crawlerTargets(settings),
    // A crawler always adds the partitions it finds (SchemaChangePolicy cannot stop that); LOG keeps it from
    // changing the code's schema (UpdateBehavior) and from deleting anything (catalog targets require DeleteBehavior
    // LOG). The tables are catalog targets, so it creates no table.
    SchemaChangePolicy: { UpdateBehavior: 'LOG', DeleteBehavior: 'LOG' } as const,
    Configuration: CRAWLER_CONFIGURATION,
  };
  let current: Record<string, unknown> | undefined;
  try {
    current = (await glue.send(new GetCrawlerCommand({ Name: settings.crawlerName }))).Crawler as Record<
      string,
      unknown
    >;
  } catch (err) {
    if (!(err instanceof EntityNotFoundException)) throw err;
  }
  if (!current) {
    if (apply) await glue.send(new CreateCrawlerCommand({ Name: settings.crawlerName, ...wanted }));
    return { kind: 'crawler', name: settings.crawlerName, change: 'create' };
  }
  // GetCrawler returns more than was set (Exclusions, timestamps …): compare what the code declares.
  const seen = {
    Role: roleName(current.Role as string | undefined),
    Targets: {
      CatalogTargets: ((current.Targets as CrawlerTargets | undefined)?.CatalogTargets ?? []).map((t) => ({
        DatabaseName: t.DatabaseName,
        Tables: t.Tables,
      })),
    },
    SchemaChangePolicy: current.SchemaChangePolicy,
    Configuration: normalJson(current.Configuration),
  };
  const diff = differences(seen, {
    ...wanted,
    Role: roleName(wanted.Role),
    Configuration: normalJson(wanted.Configuration),
  } as Record<string, unknown>);
  if (diff.length === 0) return { kind: 'crawler', name: settings.crawlerName, change: 'none' };
  if (apply) await glue.send(new UpdateCrawlerCommand({ Name: settings.crawlerName, ...wanted }));
  return { kind: 'crawler', name: settings.crawlerName, change: 'update', detail: diff.join(', ') };
}

function workgroupConfiguration(settings: AwsSettings): WorkGroupConfiguration {
  return {
    ResultConfiguration: { OutputLocation: `s3://${settings.bucket}/${settings.athenaOutputPrefix}` },
    EnforceWorkGroupConfiguration: true,
    BytesScannedCutoffPerQuery: settings.bytesScannedCutoff,
    EngineVersion: { SelectedEngineVersion: ATHENA_ENGINE },
  };
}

async function ensureWorkgroup(
  athena: AthenaClient,
  settings: AwsSettings,
  apply: boolean,
): Promise<DeployStep> {
  const wanted = workgroupConfiguration(settings);
  let current: WorkGroupConfiguration | undefined;
  try {
    current = (await athena.send(new GetWorkGroupCommand({ WorkGroup: settings.workgroup }))).WorkGroup
      ?.Configuration;
  } catch (err) {
    const e = err as { name?: string; message?: string };
    if (!(e.name === 'InvalidRequestException' && /not found/i.test(e.message ?? ''))) throw err;
  }
  if (!current) {
    if (apply)
      await athena.send(
        new CreateWorkGroupCommand({
          Name: settings.workgroup,
          Description: 'aqlake: validate, publish and query the OpenAQ lake',
          Configuration: wanted,
        }),
      );
    return { kind: 'workgroup', name: settings.workgroup, change: 'create' };
  }
  const diff: string[] = [];
  if (current.ResultConfiguration?.OutputLocation !== wanted.ResultConfiguration?.OutputLocation)
    diff.push('OutputLocation');
  if (current.EnforceWorkGroupConfiguration !== true) diff.push('EnforceWorkGroupConfiguration');
  if (current.BytesScannedCutoffPerQuery !== wanted.BytesScannedCutoffPerQuery)
    diff.push('BytesScannedCutoffPerQuery');
  if (current.EngineVersion?.SelectedEngineVersion !== ATHENA_ENGINE) diff.push('EngineVersion');
  if (diff.length === 0) return { kind: 'workgroup', name: settings.workgroup, change: 'none' };
  if (apply)
    await athena.send(
      new UpdateWorkGroupCommand({
        WorkGroup: settings.workgroup,
        ConfigurationUpdates: {
          ResultConfigurationUpdates: { OutputLocation: wanted.ResultConfiguration!.OutputLocation! },
          EnforceWorkGroupConfiguration: true,
          BytesScannedCutoffPerQuery: settings.bytesScannedCutoff,
          EngineVersion: { SelectedEngineVersion: ATHENA_ENGINE },
        },
      }),
    );
  return { kind: 'workgroup', name: settings.workgroup, change: 'update', detail: diff.join(', ') };
}

function normalJson(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
}

/** The top-level fields of `wanted` whose value differs in `current` (deep, by JSON). */
function differences(current: Record<string, unknown>, wanted: Record<string, unknown>): string[] {
  return Object.keys(wanted).filter((k) => stable(current[k]) !== stable(wanted[k]));
}

function stable(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : x,
  );
}

/** `+ create database openaq_dev`, `~ update job job_raw_to_dev (NumberOfWorkers)`, `  job_raw_to_dev (no change)`. */
export function formatPlan(steps: readonly DeployStep[]): string {
  const lines = steps.map((s) => {
    const mark = s.change === 'create' ? '+' : s.change === 'update' ? '~' : ' ';
    const what = s.change === 'none' ? `${s.kind} ${s.name} (no change)` : `${s.change} ${s.kind} ${s.name}`;
    return `${mark} ${what}${s.detail ? ` (${s.detail})` : ''}`;
  });
  const n = steps.filter((s) => s.change !== 'none').length;
  lines.push(n === 0 ? 'nothing to change' : `${n} change${n === 1 ? '' : 's'}`);
  return lines.join('\n');
}
