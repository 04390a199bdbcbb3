// The engine factory: the configured engine behind the Engine seam (DuckDB for `local`, Glue + Athena for `aws`).
import type { AqlakeConfig } from '../config/index.js';
import { DuckDbEngine } from './duckdb/duckdb-engine.js';
import { duckDbSettings } from './duckdb/duckdb-instance.js';
import type { Engine } from './engine.js';

export type * from './engine.js';

/**
 * `local`: DuckDB in this process. `aws`: Glue transforms and Athena checks and views, with DuckDB for the small local
 * steps; its settings come from the environment (`awsSettingsFromEnv`) and nothing is contacted until a call.
 * Async because the AWS SDK (~0.6 s to load) is imported only when the aws engine is chosen.
 */
export async function createEngine(
  config: AqlakeConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Engine> {
  const local = new DuckDbEngine(duckDbSettings(config));
  if (config.engine === 'local') return local;
  const { AwsEngine, awsSettingsFromEnv } = await import('./aws/index.js');
  return new AwsEngine({
    settings: awsSettingsFromEnv(config.home, env),
    local,
  });
}
