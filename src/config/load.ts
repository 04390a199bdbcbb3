// Reads aqlake.config.json (JSON with comments), applies environment overrides, validates, resolves paths.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { type ParseError, parse, printParseErrorCode } from 'jsonc-parser';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { type AqlakeConfig, configSchema } from './schema.js';

export const DEFAULT_CONFIG_FILE = 'aqlake.config.json';

export interface LoadConfigOptions {
  /** Explicit config file; when absent, ./aqlake.config.json is used if it exists, else defaults. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export function loadConfig(options: LoadConfigOptions = {}): AqlakeConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const file = resolve(cwd, options.file ?? DEFAULT_CONFIG_FILE);
  if (options.file && !existsSync(file)) throw new ConfigError('', `file not found: ${file}`, options.file);
  const raw = existsSync(file) ? readConfigFile(file) : {};
  const withEnv = applyEnv(raw, env);
  return resolvePaths(validate(withEnv, existsSync(file) ? file : 'configuration'), cwd);
}

export function parseConfig(value: unknown, source = 'configuration'): AqlakeConfig {
  return validate(value, source);
}

function readConfigFile(file: string): Record<string, unknown> {
  const errors: ParseError[] = [];
  const value = parse(readFileSync(file, 'utf8'), errors, { allowTrailingComma: true });
  const first = errors[0];
  if (first)
    throw new ConfigError(
      '',
      `not valid JSON: ${printParseErrorCode(first.error)} at offset ${first.offset}`,
      file,
    );
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ConfigError('', 'expected a JSON object', file);
  return value as Record<string, unknown>;
}

function applyEnv(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = { ...raw };
  const api = { ...((raw.api as Record<string, unknown> | undefined) ?? {}) };
  if (env.OPENAQ_API_KEY) api.key = env.OPENAQ_API_KEY;
  if (env.OPENAQ_API_URL) api.url = env.OPENAQ_API_URL;
  if (Object.keys(api).length > 0) out.api = api;
  if (env.OPENAQ_ARCHIVE_URL)
    out.archive = { ...((raw.archive as object | undefined) ?? {}), url: env.OPENAQ_ARCHIVE_URL };
  if (env.AQLAKE_HOME) out.home = env.AQLAKE_HOME;
  if (env.AQLAKE_ENGINE) out.engine = env.AQLAKE_ENGINE;
  return out;
}

function validate(value: unknown, source: string): AqlakeConfig {
  const result = configSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0] as z.core.$ZodIssue;
  throw new ConfigError(formatPath(issue.path), issue.message, source);
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : acc ? `${acc}.${String(seg)}` : String(seg)),
    '',
  );
}

function resolvePaths(config: AqlakeConfig, cwd: string): AqlakeConfig {
  const home = isAbsolute(config.home) ? config.home : resolve(cwd, config.home);
  return { ...config, home };
}
