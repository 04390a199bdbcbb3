// The engine factory: the configured engine behind the Engine seam (DuckDB for `local`; `aws` comes later).
import type { AqlakeConfig } from '../config/index.js';
import { ConfigError } from '../errors.js';
import { DuckDbEngine } from './duckdb/duckdb-engine.js';
import { duckDbSettings } from './duckdb/duckdb-instance.js';
import type { Engine } from './engine.js';

export type * from './engine.js';

export function createEngine(config: AqlakeConfig): Engine {
  if (config.engine === 'local') return new DuckDbEngine(duckDbSettings(config));
  throw new ConfigError('engine', 'the aws engine is not available yet; use "local"');
}
