export { DEFAULT_CONFIG_FILE, loadConfig, parseConfig } from './load.js';
export type { AqlakeConfig, Scope } from './schema.js';
