import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/temp-dir.js';
import { parseConfig } from '../config/index.js';
import { ConfigError } from '../errors.js';
import { AwsEngine, zeroCost } from './aws/index.js';
import { createEngine } from './index.js';

const home = tempDir('aqlake-engine-factory-');
// Fake keys: constructing the engine must not need real ones, nor call AWS (there is no network here).
const AWS_ENV = {
  AQLAKE_BUCKET: 'aq-lake-test',
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'AKIAFAKE',
  AWS_SECRET_ACCESS_KEY: 'fake-secret',
};

describe('createEngine', () => {
  it('builds DuckDB for engine local', async () => {
    const engine = await createEngine({ ...parseConfig({ engine: 'local' }), home }, {});
    expect(engine.name).toBe('duckdb');
    await engine.close();
  });

  it('builds the AWS engine for engine aws from the environment, without contacting AWS', async () => {
    const engine = await createEngine({ ...parseConfig({ engine: 'aws' }), home }, AWS_ENV);
    expect(engine.name).toBe('aws');
    expect(engine).toBeInstanceOf(AwsEngine);
    const aws = engine as AwsEngine;
    expect(aws.settings.bucket).toBe('aq-lake-test');
    expect(aws.settings.region).toBe('eu-west-1');
    expect(aws.cost()).toEqual(zeroCost());
    await engine.close();
  });

  it('refuses engine aws without a bucket, naming the variable', async () => {
    const config = { ...parseConfig({ engine: 'aws' }), home };
    await expect(createEngine(config, {})).rejects.toThrow(ConfigError);
    await expect(createEngine(config, {})).rejects.toThrow(/AQLAKE_BUCKET/);
  });
});
