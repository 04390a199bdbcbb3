// The least-privilege IAM policy of the `openaq-local-dev` user: one table of (step → actions → resources) that the
// policy is printed from and the tests hold the code's SDK calls against.
import type { AwsSettings } from './aws-settings.js';

export interface PolicyContext {
  settings: AwsSettings;
  /** The AWS account id; `*` when unknown (the ARNs stay scoped by region and name). */
  accountId: string;
  partition?: string;
}

export interface StepPermission {
  step: string;
  /** Why the step needs these actions. */
  why: string;
  actions: readonly string[];
  resources: (c: PolicyContext) => string[];
}

const glueArn = (c: PolicyContext, what: string) =>
  `arn:${c.partition ?? 'aws'}:glue:${c.settings.region}:${c.accountId}:${what}`;
const s3Arn = (c: PolicyContext, key?: string) =>
  `arn:${c.partition ?? 'aws'}:s3:::${c.settings.bucket}${key === undefined ? '' : `/${key}`}`;
/** The Glue job's role: AQLAKE_GLUE_ROLE_ARN, else the name the README suggests. */
const jobRoleArn = (c: PolicyContext) =>
  c.settings.glueRoleArn ?? `arn:${c.partition ?? 'aws'}:iam::${c.accountId}:role/aqlake-glue`;
const databases = (c: PolicyContext) => [
  c.settings.devDatabase,
  c.settings.prodDatabase,
  c.settings.checkDatabase,
];

/** Every AWS action aqlake calls, by pipeline step. */
export const PERMISSIONS: readonly StepPermission[] = [
  {
    step: 'lake-list',
    why: 'list the lake: extract, transform, catalog and vacuum find objects by prefix',
    actions: ['s3:ListBucket', 's3:GetBucketLocation'],
    resources: (c) => [s3Arn(c)],
  },
  {
    step: 'lake-read',
    why: 'read raw objects, dev files, Glue outputs and Athena results (GetObject also covers HeadObject)',
    actions: ['s3:GetObject'],
    resources: (c) => [s3Arn(c, '*')],
  },
  {
    step: 'lake-write',
    why: 'extract writes raw/, the local transform and dimensions write dev/, the engine writes _aws/ (script, manifests)',
    actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
    resources: (c) => [
      s3Arn(c, 'raw/*'),
      s3Arn(c, 'dev/*'),
      s3Arn(c, `${c.settings.glueArtifactsPrefix}*`),
      s3Arn(c, `${c.settings.athenaOutputPrefix}*`),
    ],
  },
  {
    step: 'athena-results',
    why: "Athena's documented permissions on the query-results location: it lists and cleans up the multipart uploads of the result files it writes there on the caller's rights",
    actions: ['s3:ListBucketMultipartUploads', 's3:ListMultipartUploadParts'],
    resources: (c) => [s3Arn(c), s3Arn(c, `${c.settings.athenaOutputPrefix}*`)],
  },
  {
    step: 'lake-delete',
    why: 'vacuum of versions past the retention and of superseded dev files; raw/ and _aws/ (run manifests, stats) are kept',
    actions: ['s3:DeleteObject'],
    resources: (c) => [s3Arn(c, 'dev/*')],
  },
  {
    step: 'transform',
    why: 'run the Glue job job_raw_to_dev, poll it, stop it on timeout or cancel',
    actions: ['glue:StartJobRun', 'glue:GetJobRun', 'glue:BatchStopJobRun'],
    resources: (c) => [glueArn(c, `job/${c.settings.jobName}`)],
  },
  {
    step: 'catalog',
    why: "declare the dev tables and the checks' scratch tables (partitions are projected: no partition is ever written); Athena reads tables and partitions on the caller's rights for views, checks and queries",
    actions: [
      'glue:GetDatabase',
      'glue:GetTable',
      'glue:GetTables',
      'glue:CreateTable',
      'glue:UpdateTable',
      'glue:DeleteTable',
      'glue:GetPartition',
      'glue:GetPartitions',
      'glue:BatchGetPartition',
    ],
    resources: (c) => [
      glueArn(c, 'catalog'),
      ...databases(c).map((d) => glueArn(c, `database/${d}`)),
      ...databases(c).map((d) => glueArn(c, `table/${d}/*`)),
    ],
  },
  {
    step: 'athena-default-database',
    why: 'Athena reads (and, when missing, creates) the Glue database `default` of the region for every query, whatever QueryExecutionContext names',
    actions: ['glue:GetDatabase', 'glue:GetDatabases', 'glue:CreateDatabase'],
    resources: (c) => [glueArn(c, 'catalog'), glueArn(c, 'database/default')],
  },
  {
    step: 'catalog-crawler',
    why: "the original design's crawler, when AQLAKE_GLUE_CRAWLER=true",
    actions: ['glue:StartCrawler', 'glue:GetCrawler', 'glue:StopCrawler'],
    resources: (c) => [glueArn(c, `crawler/${c.settings.crawlerName}`)],
  },
  {
    step: 'validate-publish-query',
    why: 'checks, prod views and user queries run in the aqlake Athena workgroup',
    actions: [
      'athena:StartQueryExecution',
      'athena:GetQueryExecution',
      'athena:GetQueryResults',
      'athena:StopQueryExecution',
    ],
    resources: (c) => [
      `arn:${c.partition ?? 'aws'}:athena:${c.settings.region}:${c.accountId}:workgroup/${c.settings.workgroup}`,
    ],
  },
  {
    step: 'deploy',
    why: 'aqlake aws deploy/plan: Glue databases, job, crawler and the Athena workgroup (Get* first, then Create/Update)',
    actions: [
      'glue:CreateDatabase',
      'glue:GetJob',
      'glue:CreateJob',
      'glue:UpdateJob',
      'glue:CreateCrawler',
      'glue:UpdateCrawler',
      'athena:GetWorkGroup',
      'athena:CreateWorkGroup',
      'athena:UpdateWorkGroup',
    ],
    resources: (c) => [
      glueArn(c, 'catalog'),
      ...databases(c).map((d) => glueArn(c, `database/${d}`)),
      glueArn(c, `job/${c.settings.jobName}`),
      glueArn(c, `crawler/${c.settings.crawlerName}`),
      `arn:${c.partition ?? 'aws'}:athena:${c.settings.region}:${c.accountId}:workgroup/${c.settings.workgroup}`,
    ],
  },
  {
    step: 'deploy-pass-role',
    why: 'the Glue job and crawler run as AQLAKE_GLUE_ROLE_ARN (CreateJob, UpdateJob, CreateCrawler, UpdateCrawler hand it over); only Glue may be handed that role',
    actions: ['iam:PassRole'],
    resources: (c) => [jobRoleArn(c)],
  },
  {
    step: 'deploy-create-role',
    why: 'aqlake aws deploy --create-role: read the job role and its inline policy, create the role or put back its trust policy, put its permission policy (that role only)',
    actions: [
      'iam:GetRole',
      'iam:CreateRole',
      'iam:UpdateAssumeRolePolicy',
      'iam:GetRolePolicy',
      'iam:PutRolePolicy',
    ],
    resources: (c) => [jobRoleArn(c)],
  },
];

/**
 * What the Glue job's own role (AQLAKE_GLUE_ROLE_ARN) does: the job reads raw objects, its script, rules and
 * manifest, and dev.locations; writes its version objects under dev/_versions/, its staging under the artifacts
 * prefix (and deletes it), and its stats; and logs to CloudWatch Logs. The crawler, when used, reads the tables'
 * locations and adds partitions to the dev tables.
 */
export const ROLE_PERMISSIONS: readonly StepPermission[] = [
  {
    step: 'job-list',
    why: "the job lists its staging folder; Spark's S3 file system lists the folders it reads and writes",
    actions: ['s3:ListBucket'],
    resources: (c) => [s3Arn(c)],
  },
  {
    step: 'job-read',
    why: 'raw API pages and archive objects, dev.locations, the script, the quality rules, the run manifest, staging, and the size of each version object it wrote (HeadObject)',
    actions: ['s3:GetObject'],
    resources: (c) => [
      s3Arn(c, 'raw/*'),
      s3Arn(c, 'dev/locations/*'),
      s3Arn(c, 'dev/_versions/*'),
      s3Arn(c, `${c.settings.glueArtifactsPrefix}*`),
    ],
  },
  {
    step: 'job-write',
    why: "each day's version object (dev/_versions/), the staging part files and the run's stats (artifacts prefix)",
    actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
    resources: (c) => [s3Arn(c, 'dev/_versions/*'), s3Arn(c, `${c.settings.glueArtifactsPrefix}*`)],
  },
  {
    step: 'job-cleanup',
    why: 'the staging folder and the marker objects Spark leaves beside it (never anything under raw/ or a table)',
    actions: ['s3:DeleteObject'],
    resources: (c) => [s3Arn(c, `${c.settings.glueArtifactsPrefix}tmp*`)],
  },
  {
    step: 'job-logs',
    why: "Glue writes the job's driver and executor logs to CloudWatch Logs (/aws-glue/…)",
    actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: (c) => [
      `arn:${c.partition ?? 'aws'}:logs:${c.settings.region}:${c.accountId}:log-group:/aws-glue/*`,
    ],
  },
];

/** With AQLAKE_GLUE_CRAWLER=true the role also runs the crawler over the dev tables. */
export const CRAWLER_ROLE_PERMISSIONS: readonly StepPermission[] = [
  {
    step: 'crawler-read',
    why: "the crawler reads the dev tables' locations (only those: its targets are the catalog tables)",
    actions: ['s3:GetObject'],
    resources: (c) => [s3Arn(c, 'dev/measurements/*'), s3Arn(c, 'dev/_quarantine/measurements/*')],
  },
  {
    step: 'crawler-catalog',
    why: 'the crawler reads the tables it targets and adds the partitions it finds',
    actions: [
      'glue:GetDatabase',
      'glue:GetTable',
      'glue:GetPartitions',
      'glue:BatchGetPartition',
      'glue:BatchCreatePartition',
      'glue:UpdatePartition',
      'glue:UpdateTable',
    ],
    resources: (c) => [
      glueArn(c, 'catalog'),
      glueArn(c, `database/${c.settings.devDatabase}`),
      glueArn(c, `table/${c.settings.devDatabase}/*`),
    ],
  },
];

export interface TrustPolicyDocument {
  Version: '2012-10-17';
  Statement: {
    Effect: 'Allow';
    Principal: { Service: string };
    Action: 'sts:AssumeRole';
    Condition?: Record<string, Record<string, string>>;
  }[];
}

/** Who may assume the role: Glue, for this account when it is known (the confused-deputy guard). */
export function buildTrustPolicy(context: PolicyContext): TrustPolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'glue.amazonaws.com' },
        Action: 'sts:AssumeRole',
        ...(context.accountId !== '*'
          ? { Condition: { StringEquals: { 'aws:SourceAccount': context.accountId } } }
          : {}),
      },
    ],
  };
}

/** The role's permission policy (`aqlake aws policy --role`): the job's statements, and the crawler's when used. */
export function buildRolePolicy(context: PolicyContext): PolicyDocument {
  const steps = [...ROLE_PERMISSIONS, ...(context.settings.useCrawler ? CRAWLER_ROLE_PERMISSIONS : [])];
  return {
    Version: '2012-10-17',
    Statement: steps.map((p) => ({
      Sid: sid(p.step),
      Effect: 'Allow' as const,
      Action: [...p.actions],
      Resource: p.resources(context),
    })),
  };
}

function sid(step: string): string {
  return step.replace(/(^|-)([a-z])/g, (_m, _d, ch: string) => ch.toUpperCase());
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: {
    Sid: string;
    Effect: 'Allow';
    Action: string[];
    Resource: string[];
    Condition?: Record<string, Record<string, string>>;
  }[];
}

/** The policy JSON `aqlake aws policy` prints: one statement per step. */
export function buildPolicy(context: PolicyContext): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: PERMISSIONS.map((p) => ({
      Sid: sid(p.step),
      Effect: 'Allow' as const,
      Action: [...p.actions],
      Resource: p.resources(context),
      ...(p.actions.includes('iam:PassRole')
        ? { Condition: { StringEquals: { 'iam:PassedToService': 'glue.amazonaws.com' } } }
        : {}),
    })),
  };
}

const S3_ACTION: Record<string, string> = {
  HeadObject: 's3:GetObject',
  GetObject: 's3:GetObject',
  PutObject: 's3:PutObject',
  CreateMultipartUpload: 's3:PutObject',
  UploadPart: 's3:PutObject',
  CompleteMultipartUpload: 's3:PutObject',
  CopyObject: 's3:PutObject',
  AbortMultipartUpload: 's3:AbortMultipartUpload',
  ListObjectsV2: 's3:ListBucket',
  DeleteObject: 's3:DeleteObject',
  DeleteObjects: 's3:DeleteObject',
  HeadBucket: 's3:ListBucket',
};

/** The IAM action an SDK command needs: `StartJobRunCommand` of Glue → `glue:StartJobRun`. */
export function iamActionOf(service: 's3' | 'glue' | 'athena' | 'iam', commandName: string): string {
  const op = commandName.replace(/Command$/, '');
  if (service === 's3') {
    const a = S3_ACTION[op];
    if (!a) throw new Error(`no IAM action known for S3 ${op}`);
    return a;
  }
  return `${service}:${op}`;
}

/** Whether the policy allows `action` on `resource` (IAM's `*` wildcard in resources). */
export function policyAllows(policy: PolicyDocument, action: string, resource?: string): boolean {
  return policy.Statement.some(
    (s) =>
      s.Action.includes(action) &&
      (resource === undefined || s.Resource.some((pattern) => wildcardMatch(pattern, resource))),
  );
}

function wildcardMatch(pattern: string, value: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(value);
}
