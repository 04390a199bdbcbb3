// deploy --create-role against a stateful fake IAM whose every request is checked against AWS's iam model (botocore):
// the role is created once with the trust policy, its inline policy is the one `aqlake aws policy --role` prints, a
// second deploy changes nothing, and a drifted trust policy is put back.
import { describe, expect, it } from 'vitest';
import { defaultAwsSettings } from '../src/engines/aws/aws-settings.js';
import {
  buildPolicy,
  buildRolePolicy,
  buildTrustPolicy,
  iamActionOf,
  policyAllows,
} from '../src/engines/aws/iam-policy.js';
import { ensureGlueRole, type IamApi, ROLE_POLICY_NAME } from '../src/engines/aws/iam-role.js';
import { assertValidRequest } from './helpers/aws-models.js';

const ROLE = 'arn:aws:iam::123456789012:role/aqlake-glue';

function fakeIam() {
  const roles = new Map<string, { trust: string; policies: Map<string, string> }>();
  const calls: string[] = [];
  const requests: { op: string; roleName: string }[] = [];
  const check = (op: string, input: { RoleName: string }) => {
    assertValidRequest('iam', op, input);
    calls.push(op);
    requests.push({ op, roleName: input.RoleName });
  };
  // IAM returns documents URL-encoded, as the real service does.
  const api: IamApi = {
    async getRole(input) {
      check('GetRole', input);
      const r = roles.get(input.RoleName);
      return r ? { Arn: ROLE, AssumeRolePolicyDocument: encodeURIComponent(r.trust) } : undefined;
    },
    async createRole(input) {
      check('CreateRole', input);
      roles.set(input.RoleName, { trust: input.AssumeRolePolicyDocument, policies: new Map() });
      return { Arn: `arn:aws:iam::123456789012:role/${input.RoleName}` };
    },
    async updateAssumeRolePolicy(input) {
      check('UpdateAssumeRolePolicy', input);
      roles.get(input.RoleName)!.trust = input.PolicyDocument;
    },
    async getRolePolicy(input) {
      check('GetRolePolicy', input);
      const p = roles.get(input.RoleName)?.policies.get(input.PolicyName);
      return p ? { PolicyDocument: encodeURIComponent(p) } : undefined;
    },
    async putRolePolicy(input) {
      check('PutRolePolicy', input);
      roles.get(input.RoleName)!.policies.set(input.PolicyName, input.PolicyDocument);
    },
  };
  return { api, roles, calls, requests };
}

describe('aqlake aws deploy --create-role', () => {
  const settings = defaultAwsSettings({ bucket: 'openaq-lake', glueRoleArn: ROLE });
  const context = { settings, accountId: '123456789012', partition: 'aws' };

  it('creates the role Glue may assume with the job policy, then changes nothing', async () => {
    const iam = fakeIam();
    expect(await ensureGlueRole(iam.api, settings, false)).toEqual([
      { kind: 'role', name: 'aqlake-glue', change: 'create' },
      { kind: 'role-policy', name: `aqlake-glue/${ROLE_POLICY_NAME}`, change: 'create' },
    ]);
    expect(iam.roles.size).toBe(0); // plan changes nothing
    await ensureGlueRole(iam.api, settings, true);
    const role = iam.roles.get('aqlake-glue')!;
    expect(JSON.parse(role.trust)).toEqual(buildTrustPolicy(context));
    expect(JSON.parse(role.policies.get(ROLE_POLICY_NAME)!)).toEqual(buildRolePolicy(context));
    iam.calls.length = 0;
    expect((await ensureGlueRole(iam.api, settings, true)).map((s) => s.change)).toEqual(['none', 'none']);
    expect(iam.calls).toEqual(['GetRole', 'GetRolePolicy']);
  });

  it('puts back a trust policy someone changed', async () => {
    const iam = fakeIam();
    await ensureGlueRole(iam.api, settings, true);
    iam.roles.get('aqlake-glue')!.trust = JSON.stringify({ Version: '2012-10-17', Statement: [] });
    expect((await ensureGlueRole(iam.api, settings, true))[0]!.change).toBe('update');
    expect(JSON.parse(iam.roles.get('aqlake-glue')!.trust)).toEqual(buildTrustPolicy(context));
  });

  it('is allowed by the user policy `aqlake aws policy` prints (README: attach it, then deploy --create-role)', async () => {
    const iam = fakeIam();
    await ensureGlueRole(iam.api, settings, true); // create: GetRole, CreateRole, PutRolePolicy
    iam.roles.get('aqlake-glue')!.trust = '{}';
    iam.roles.get('aqlake-glue')!.policies.set(ROLE_POLICY_NAME, '{}');
    await ensureGlueRole(iam.api, settings, true); // drift: UpdateAssumeRolePolicy, GetRolePolicy, PutRolePolicy
    expect(new Set(iam.calls)).toEqual(
      new Set(['GetRole', 'CreateRole', 'PutRolePolicy', 'UpdateAssumeRolePolicy', 'GetRolePolicy']),
    );
    const policy = buildPolicy(context);
    const refused = iam.requests
      .map((r) => ({
        action: iamActionOf('iam', `${r.op}Command`),
        resource: `arn:aws:iam::123456789012:role/${r.roleName}`,
      }))
      .filter(({ action, resource }) => !policyAllows(policy, action, resource));
    expect(refused).toEqual([]);
    // Only the job's role: not any other role of the account.
    expect(policyAllows(policy, 'iam:PutRolePolicy', 'arn:aws:iam::123456789012:role/admin')).toBe(false);
  });

  it('refuses without AQLAKE_GLUE_ROLE_ARN', async () => {
    await expect(
      ensureGlueRole(fakeIam().api, defaultAwsSettings({ bucket: 'openaq-lake', glueRoleArn: null }), true),
    ).rejects.toThrow(/AQLAKE_GLUE_ROLE_ARN/);
  });
});
