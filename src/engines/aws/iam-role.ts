// `aqlake aws deploy --create-role`: the IAM role the Glue job (and crawler) runs as, with the trust and permission
// policies of `aqlake aws policy --role`. Read first (GetRole, GetRolePolicy), then created or updated only where it
// differs, like the rest of deploy.
import { ConfigError, EngineError } from '../../errors.js';
import type { AwsSettings } from './aws-settings.js';
import { buildRolePolicy, buildTrustPolicy, type PolicyContext } from './iam-policy.js';

/** The IAM calls deploy makes, with IAM's own request shapes (AWS's iam model; the tests check them against it). */
export interface IamApi {
  /** undefined when the role does not exist (NoSuchEntity). */
  getRole(input: {
    RoleName: string;
  }): Promise<{ Arn: string; AssumeRolePolicyDocument?: string } | undefined>;
  createRole(input: {
    RoleName: string;
    AssumeRolePolicyDocument: string;
    Description?: string;
    MaxSessionDuration?: number;
  }): Promise<{ Arn: string }>;
  updateAssumeRolePolicy(input: { RoleName: string; PolicyDocument: string }): Promise<void>;
  /** undefined when the inline policy does not exist. */
  getRolePolicy(input: {
    RoleName: string;
    PolicyName: string;
  }): Promise<{ PolicyDocument: string } | undefined>;
  putRolePolicy(input: { RoleName: string; PolicyName: string; PolicyDocument: string }): Promise<void>;
}

export const ROLE_POLICY_NAME = 'aqlake-glue-job';

/** `arn:aws:iam::123456789012:role/path/name` → its name and account (the one parser of role ARNs). */
export function parseRoleArn(arn: string): { accountId: string; roleName: string; partition: string } {
  const m = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]{1,64})$/.exec(arn);
  if (!m) throw new ConfigError('AQLAKE_GLUE_ROLE_ARN', `not an IAM role ARN: "${arn}"`, 'environment');
  return { partition: m[1]!, accountId: m[2]!, roleName: m[3]! };
}

/** IAM returns policy documents URL-encoded; compare them as JSON. */
function sameDocument(current: string | undefined, wanted: string): boolean {
  if (current === undefined) return false;
  try {
    return JSON.stringify(JSON.parse(decodeURIComponent(current))) === JSON.stringify(JSON.parse(wanted));
  } catch {
    return false;
  }
}

export interface RoleStep {
  kind: 'role' | 'role-policy';
  name: string;
  change: 'create' | 'update' | 'none';
}

/** Creates or updates the role of AQLAKE_GLUE_ROLE_ARN so that it trusts Glue and holds the job's permissions. */
export async function ensureGlueRole(
  iam: IamApi,
  settings: AwsSettings,
  apply: boolean,
): Promise<RoleStep[]> {
  if (!settings.glueRoleArn)
    throw new ConfigError(
      'AQLAKE_GLUE_ROLE_ARN',
      'name the role to create, e.g. arn:aws:iam::123456789012:role/aqlake-glue',
      'environment',
    );
  const { accountId, roleName, partition } = parseRoleArn(settings.glueRoleArn);
  const context: PolicyContext = { settings, accountId, partition };
  const trust = JSON.stringify(buildTrustPolicy(context));
  const permissions = JSON.stringify(buildRolePolicy(context));
  const steps: RoleStep[] = [];

  const role = await iam.getRole({ RoleName: roleName });
  if (!role) {
    if (apply) {
      const created = await iam.createRole({
        RoleName: roleName,
        AssumeRolePolicyDocument: trust,
        Description: 'aqlake: the Glue job job_raw_to_dev (and crawler) runs as this role',
      });
      if (created.Arn !== settings.glueRoleArn)
        throw new EngineError(
          `IAM created ${created.Arn}, not AQLAKE_GLUE_ROLE_ARN ${settings.glueRoleArn} (a role path?)`,
          'IAM Error',
        );
    }
    steps.push({ kind: 'role', name: roleName, change: 'create' });
  } else if (!sameDocument(role.AssumeRolePolicyDocument, trust)) {
    if (apply) await iam.updateAssumeRolePolicy({ RoleName: roleName, PolicyDocument: trust });
    steps.push({ kind: 'role', name: roleName, change: 'update' });
  } else steps.push({ kind: 'role', name: roleName, change: 'none' });

  const policy = role
    ? await iam.getRolePolicy({ RoleName: roleName, PolicyName: ROLE_POLICY_NAME })
    : undefined;
  const change = !policy ? 'create' : sameDocument(policy.PolicyDocument, permissions) ? 'none' : 'update';
  if (change !== 'none' && apply)
    await iam.putRolePolicy({
      RoleName: roleName,
      PolicyName: ROLE_POLICY_NAME,
      PolicyDocument: permissions,
    });
  steps.push({ kind: 'role-policy', name: `${roleName}/${ROLE_POLICY_NAME}`, change });
  return steps;
}

/** The real IamApi over @aws-sdk/client-iam, loaded only by `deploy --create-role`. */
export async function createIamApi(region: string): Promise<{ api: IamApi; close(): void }> {
  const {
    IAMClient,
    GetRoleCommand,
    CreateRoleCommand,
    UpdateAssumeRolePolicyCommand,
    GetRolePolicyCommand,
    PutRolePolicyCommand,
  } = await import('@aws-sdk/client-iam');
  const client = new IAMClient({ region });
  const missing = (err: unknown) => (err as { name?: string }).name === 'NoSuchEntityException';
  const api: IamApi = {
    async getRole(input) {
      try {
        const out = await client.send(new GetRoleCommand(input));
        return out.Role
          ? { Arn: out.Role.Arn ?? '', AssumeRolePolicyDocument: out.Role.AssumeRolePolicyDocument }
          : undefined;
      } catch (err) {
        if (missing(err)) return undefined;
        throw err;
      }
    },
    async createRole(input) {
      const out = await client.send(new CreateRoleCommand(input));
      return { Arn: out.Role?.Arn ?? '' };
    },
    async updateAssumeRolePolicy(input) {
      await client.send(new UpdateAssumeRolePolicyCommand(input));
    },
    async getRolePolicy(input) {
      try {
        const out = await client.send(new GetRolePolicyCommand(input));
        return { PolicyDocument: out.PolicyDocument ?? '' };
      } catch (err) {
        if (missing(err)) return undefined;
        throw err;
      }
    },
    async putRolePolicy(input) {
      await client.send(new PutRolePolicyCommand(input));
    },
  };
  return { api, close: () => client.destroy() };
}
