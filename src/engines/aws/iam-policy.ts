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
    step: 'lake-delete',
    why: 'superseded dev files after a commit, vacuum, and Glue outputs copied elsewhere; raw/ and _aws/ (run manifests, stats) are kept',
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
    why: 'declare the dev tables and point each partition at its new version (also used by Athena for views and checks)',
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
      'glue:BatchCreatePartition',
      'glue:UpdatePartition',
    ],
    resources: (c) => [
      glueArn(c, 'catalog'),
      ...databases(c).map((d) => glueArn(c, `database/${d}`)),
      ...databases(c).map((d) => glueArn(c, `table/${d}/*`)),
    ],
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
    why: 'the Glue job and crawler run as AQLAKE_GLUE_ROLE_ARN; only Glue may be handed that role',
    actions: ['iam:PassRole'],
    resources: (c) => [
      c.settings.glueRoleArn ?? `arn:${c.partition ?? 'aws'}:iam::${c.accountId}:role/aqlake-glue`,
    ],
  },
];

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
      Sid: p.step.replace(/(^|-)([a-z])/g, (_m, _d, ch: string) => ch.toUpperCase()),
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
  AbortMultipartUpload: 's3:AbortMultipartUpload',
  ListObjectsV2: 's3:ListBucket',
  DeleteObject: 's3:DeleteObject',
  DeleteObjects: 's3:DeleteObject',
  HeadBucket: 's3:ListBucket',
};

/** The IAM action an SDK command needs: `StartJobRunCommand` of Glue → `glue:StartJobRun`. */
export function iamActionOf(service: 's3' | 'glue' | 'athena', commandName: string): string {
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
