// The AWS commands through the real CLI: the role's policies as `aqlake aws policy --role` prints them, and the
// settings refused up front (Athena's 10 MB scan minimum).
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

const env = { AQLAKE_BUCKET: 'my-openaq-lake', AWS_REGION: 'ap-southeast-1' };

describe('aqlake aws', () => {
  it('policy --role prints the Glue job role trust and permission policies', async () => {
    const out = await runCli(['aws', 'policy', '--role', '--account', '123456789012'], { env });
    expect(out.code, out.stderr).toBe(0);
    const printed = JSON.parse(out.stdout) as {
      trust: { Statement: { Principal: { Service: string } }[] };
      permissions: { Statement: { Action: string[]; Resource: string[] }[] };
    };
    expect(printed.trust.Statement[0]!.Principal.Service).toBe('glue.amazonaws.com');
    const actions = printed.permissions.Statement.flatMap((s) => s.Action);
    expect(actions).toEqual(expect.arrayContaining(['s3:GetObject', 's3:PutObject', 'logs:PutLogEvents']));
    const writes = printed.permissions.Statement.filter((s) => s.Action.includes('s3:PutObject')).flatMap(
      (s) => s.Resource,
    );
    expect(writes).toContain('arn:aws:s3:::my-openaq-lake/dev/_versions/*');
    expect(writes.some((r) => r.includes('/raw/') || r.endsWith('/dev/*'))).toBe(false);
  });

  it('policy (the user) lets Athena read the default database', async () => {
    const out = await runCli(['aws', 'policy', '--account', '123456789012'], { env });
    expect(out.code, out.stderr).toBe(0);
    const st = (JSON.parse(out.stdout) as { Statement: { Action: string[]; Resource: string[] }[] })
      .Statement;
    const onDefault = st.filter((s) =>
      s.Resource.includes('arn:aws:glue:ap-southeast-1:123456789012:database/default'),
    );
    expect(onDefault.flatMap((s) => s.Action)).toEqual(
      expect.arrayContaining(['glue:GetDatabase', 'glue:CreateDatabase']),
    );
  });

  it('refuses a scan limit under Athena’s 10 MB minimum before calling AWS', async () => {
    const out = await runCli(['aws', 'plan'], { env: { ...env, AQLAKE_ATHENA_SCAN_LIMIT_BYTES: '1000000' } });
    expect(out.code).not.toBe(0);
    expect(out.stderr).toMatch(/AQLAKE_ATHENA_SCAN_LIMIT_BYTES.*10 MB/);
  });
});
