// The request checker itself: AWS's models (botocore, read from the machine's Python) reject what AWS would reject,
// and the middleware stops such a request inside the SDK client before it is sent.
import { spawnSync } from 'node:child_process';
import { AthenaClient, StartQueryExecutionCommand, UpdateWorkGroupCommand } from '@aws-sdk/client-athena';
import { CreateTableCommand, GetTableCommand, GlueClient, StartJobRunCommand } from '@aws-sdk/client-glue';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import {
  botocoreVersion,
  InvalidRequestShape,
  requestErrors,
  type SentRequest,
  validateRequests,
} from './helpers/aws-models.js';

const region = 'ap-southeast-1';
const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'not-a-secret' };

/** A client whose requests end in the middleware stack (answered with `{}`): nothing leaves the process. */
function offline<C extends GlueClient | AthenaClient | S3Client>(client: C): C {
  (client.middlewareStack as { add(mw: unknown, o: object): void }).add(
    () => async () => ({ output: { $metadata: {} }, response: {} }),
    { step: 'initialize', name: 'answerLocally', priority: 'low' },
  );
  return client;
}

describe('AWS service models (botocore)', () => {
  it('are read from the machine (botocore version reported)', () => {
    expect(botocoreVersion()).toMatch(/^1\.\d+\.\d+$/);
  });

  it('accept a well-formed Glue CreateTable and reject what Glue rejects', () => {
    const good = {
      DatabaseName: 'openaq_dev',
      TableInput: {
        Name: 'measurements',
        TableType: 'EXTERNAL_TABLE',
        StorageDescriptor: { Columns: [{ Name: 'value', Type: 'double' }], Location: 's3://b/dev/m/' },
        PartitionKeys: [{ Name: 'year', Type: 'string' }],
      },
    };
    expect(requestErrors('glue', 'CreateTable', good)).toEqual([]);
    // unknown member (a misspelling AWS would refuse as an unknown field)
    expect(requestErrors('glue', 'CreateTable', { ...good, Database: 'x' }).join()).toMatch(
      /\.Database: not a member/,
    );
    // missing required
    expect(requestErrors('glue', 'CreateTable', { TableInput: good.TableInput }).join()).toMatch(
      /DatabaseName: required/,
    );
    // length over the maximum (NameString ≤ 255)
    expect(requestErrors('glue', 'GetTable', { DatabaseName: 'd', Name: 'x'.repeat(256) }).join()).toMatch(
      /over the maximum 255/,
    );
    // pattern: a newline is not a SingleLine character
    expect(requestErrors('glue', 'GetTable', { DatabaseName: 'd', Name: 'a\nb' }).join()).toMatch(
      /does not match/,
    );
    // type
    expect(requestErrors('glue', 'StartJobRun', { JobName: 'j', Timeout: '60' }).join()).toMatch(
      /Timeout: expected a whole number/,
    );
    // enum
    expect(requestErrors('glue', 'StartJobRun', { JobName: 'j', WorkerType: 'G.3X' }).join()).toMatch(
      /not one of/,
    );
  });

  it("reject Athena's scan cutoff under 10 MB and a list too long", () => {
    const update = (n: number) => ({
      WorkGroup: 'aqlake',
      ConfigurationUpdates: { BytesScannedCutoffPerQuery: n },
    });
    expect(requestErrors('athena', 'UpdateWorkGroup', update(10_000_000))).toEqual([]);
    expect(requestErrors('athena', 'UpdateWorkGroup', update(9_999_999)).join()).toMatch(
      /under the minimum 10000000/,
    );
    expect(
      requestErrors('athena', 'StartQueryExecution', {
        QueryString: 'SELECT 1',
        QueryExecutionContext: { Database: '' },
      }).join(),
    ).toMatch(/length 0 is under the minimum 1/);
  });

  it('the middleware stops a rejected request inside the client and lets a good one through', async () => {
    const log: SentRequest[] = [];
    const glue = offline(validateRequests(new GlueClient({ region, credentials }), 'glue', log));
    await expect(glue.send(new GetTableCommand({ DatabaseName: 'd', Name: 't' }))).resolves.toBeDefined();
    const bad = glue.send(new CreateTableCommand({ DatabaseName: 'd', TableInput: { Name: '' } }));
    await expect(bad).rejects.toBeInstanceOf(InvalidRequestShape);
    await expect(bad).rejects.toThrow(/TableInput\.Name: length 0 is under the minimum 1/);
    expect(log.map((r) => r.operation)).toEqual(['GetTable', 'CreateTable']);

    const athena = offline(validateRequests(new AthenaClient({ region, credentials }), 'athena'));
    await expect(
      athena.send(
        new UpdateWorkGroupCommand({
          WorkGroup: 'w',
          ConfigurationUpdates: { BytesScannedCutoffPerQuery: 1 },
        }),
      ),
    ).rejects.toThrow(/BytesScannedCutoffPerQuery/);
    await expect(
      athena.send(new StartQueryExecutionCommand({ QueryString: 'SELECT 1' })),
    ).resolves.toBeDefined();

    const s3 = offline(validateRequests(new S3Client({ region, credentials }), 's3'));
    await expect(s3.send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: 'x' }))).resolves.toBeDefined();
    await expect(
      s3.send(new PutObjectCommand({ Bucket: 'b', Key: 'k', StorageClass: 'COLD' as 'STANDARD' })),
    ).rejects.toThrow(/StorageClass/);
    void StartJobRunCommand;
  });

  it('fail with the fix when python3 has no botocore', () => {
    const r = freshBotocoreError();
    expect(r).toMatch(/pip install botocore/);
  });
});

function freshBotocoreError(): string {
  const out = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      "import('./test/helpers/aws-models.ts').then(m => { try { m.assertValidRequest('glue', 'GetDatabase', { Name: 'x' }); console.log('no error'); } catch (e) { console.log(e.message); } })",
    ],
    { encoding: 'utf8', env: { ...process.env, AQLAKE_TEST_PYTHON: '/nonexistent/python3' } },
  );
  return out.stdout + out.stderr;
}
