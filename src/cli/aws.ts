// aqlake aws deploy | plan | policy: set up (or preview) the AWS side, and print the IAM policy it needs.
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { configFor } from './options.js';

export function registerAws(command: Command): void {
  const aws = command.addHelpText(
    'after',
    '\nEnvironment: AQLAKE_BUCKET (required), AWS_REGION (default ap-southeast-1), AQLAKE_GLUE_ROLE_ARN (deploy),' +
      '\nAQLAKE_GLUE_CRAWLER=true (use the crawler), AQLAKE_GLUE_DATABASE, AQLAKE_PROD_DATABASE, AQLAKE_ATHENA_WORKGROUP.' +
      '\nCredentials: the AWS SDK default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, SSO).',
  );

  aws
    .command('deploy')
    .description(
      'create or update the Glue databases, tables, job (and script), crawler and Athena workgroup',
    )
    .option('--json', 'print the steps as JSON')
    .option('--create-role', "also create or update AQLAKE_GLUE_ROLE_ARN's role (trust and permissions)")
    .action(async (opts: { json?: boolean; createRole?: boolean }, cmd: Command) => {
      const { deploy, formatPlan } = await import('../engines/aws/deploy.js');
      await withClients(cmd, async (clients, settings) => {
        const steps = [
          ...(opts.createRole ? await roleSteps(settings, true) : []),
          ...(await deploy(clients, settings)),
        ];
        process.stdout.write(opts.json ? `${JSON.stringify(steps, null, 2)}\n` : `${formatPlan(steps)}\n`);
      });
    });

  aws
    .command('plan')
    .description('show what deploy would change, without changing anything')
    .option('--json', 'print the steps as JSON')
    .option(
      '--create-role',
      "also show what deploy --create-role would change on AQLAKE_GLUE_ROLE_ARN's role",
    )
    .action(async (opts: { json?: boolean; createRole?: boolean }, cmd: Command) => {
      const { planDeploy, formatPlan } = await import('../engines/aws/deploy.js');
      await withClients(cmd, async (clients, settings) => {
        const steps = [
          ...(opts.createRole ? await roleSteps(settings, false) : []),
          ...(await planDeploy(clients, settings)),
        ];
        process.stdout.write(opts.json ? `${JSON.stringify(steps, null, 2)}\n` : `${formatPlan(steps)}\n`);
      });
    });

  aws
    .command('policy')
    .description(
      'print the least-privilege IAM policy of the user openaq-local-dev for everything aqlake calls ' +
        "(--role: the Glue job role's trust and permission policies)",
    )
    .option('--account <id>', 'AWS account id for the ARNs (default AWS_ACCOUNT_ID, else *)')
    .option('--role', 'print {"trust": …, "permissions": …} of the role the Glue job (and crawler) runs as')
    .option('--explain', "print each statement's reason to stderr")
    .action(async (opts: { account?: string; role?: boolean; explain?: boolean }, cmd: Command) => {
      const { awsSettingsFromEnv } = await import('../engines/aws/aws-settings.js');
      const iam = await import('../engines/aws/iam-policy.js');
      const account = opts.account ?? process.env.AWS_ACCOUNT_ID ?? '*';
      if (account !== '*' && !/^\d{12}$/.test(account))
        throw new UsageError(`--account: expected a 12-digit AWS account id, got "${account}"`);
      const settings = awsSettingsFromEnv(configFor(cmd).home);
      const context = { settings, accountId: account };
      const printed = opts.role
        ? { trust: iam.buildTrustPolicy(context), permissions: iam.buildRolePolicy(context) }
        : iam.buildPolicy(context);
      process.stdout.write(`${JSON.stringify(printed, null, 2)}\n`);
      const steps = opts.role
        ? [...iam.ROLE_PERMISSIONS, ...(settings.useCrawler ? iam.CRAWLER_ROLE_PERMISSIONS : [])]
        : iam.PERMISSIONS;
      if (opts.explain) for (const p of steps) process.stderr.write(`${p.step}: ${p.why}\n`);
      if (account === '*')
        process.stderr.write('aqlake: no account id given (--account or AWS_ACCOUNT_ID): ARNs use *\n');
    });
}

async function withClients(
  cmd: Command,
  fn: (
    clients: import('../engines/aws/aws-clients.js').AwsClients,
    settings: import('../engines/aws/aws-settings.js').AwsSettings,
  ) => Promise<void>,
): Promise<void> {
  const { awsSettingsFromEnv } = await import('../engines/aws/aws-settings.js');
  const { createAwsClients, destroyAwsClients } = await import('../engines/aws/aws-clients.js');
  const settings = awsSettingsFromEnv(configFor(cmd).home);
  const clients = createAwsClients(settings);
  try {
    await fn(clients, settings);
  } finally {
    destroyAwsClients(clients);
  }
}

async function roleSteps(
  settings: import('../engines/aws/aws-settings.js').AwsSettings,
  apply: boolean,
): Promise<import('../engines/aws/deploy.js').DeployStep[]> {
  const { createIamApi, ensureGlueRole } = await import('../engines/aws/iam-role.js');
  const iam = await createIamApi(settings.region);
  try {
    return await ensureGlueRole(iam.api, settings, apply);
  } finally {
    iam.close();
  }
}
