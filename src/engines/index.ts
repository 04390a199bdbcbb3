// The engine factory: the configured engine behind the Engine seam (DuckDB for `local`, Glue + Athena for `aws`).
import type { AqlakeConfig } from '../config/index.js';
import type { Engine } from './engine.js';

export type * from './engine.js';

/**
 * `local`: DuckDB in this process. `aws`: Glue transforms and Athena checks and views, with DuckDB for the small local
 * steps; its settings come from the environment (`awsSettingsFromEnv`) and nothing is contacted until a call.
 * Async because the engines are imported only when one is created: DuckDB (~0.3 s to load) and the AWS SDK (~0.6 s)
 * stay out of commands that never touch the lake's data (`aqlake --help`, `runs`, `logs`).
 */
export async function createEngine(
  config: AqlakeConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Engine> {
  const [{ DuckDbEngine }, { duckDbSettings }] = await Promise.all([
    import('./duckdb/duckdb-engine.js'),
    import('./duckdb/duckdb-instance.js'),
  ]);
  const local = new DuckDbEngine(duckDbSettings(config));
  if (config.engine === 'local') return local;
  const { AwsEngine, awsSettingsFromEnv } = await import('./aws/index.js');
  return new AwsEngine({
    settings: awsSettingsFromEnv(config.home, env),
    local,
  });
}
