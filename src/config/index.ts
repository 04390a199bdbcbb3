export { DEFAULT_CONFIG_FILE, type LoadConfigOptions, loadConfig, parseConfig } from './load.js';
export { type AqlakeConfig, configSchema, type Scope } from './schema.js';
