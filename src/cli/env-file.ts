// The working folder's .env (OPENAQ_*, AWS_*, AQLAKE_* lines), read once at start; the process environment wins.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';

export const ENV_FILE = '.env';

/** Names a .env may set: the ones aqlake and the AWS SDK read. Anything else in the file is left alone. */
function isAqlakeEnvName(name: string): boolean {
  return /^(OPENAQ_|AWS_|AQLAKE_)[A-Z0-9_]+$/.test(name);
}

/**
 * Copies the .env's aqlake names into `env` where `env` has no value yet. Returns the names it set (never the
 * values: they are secrets and must not reach a log or an error message).
 */
export function loadEnvFile(cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string[] {
  const file = resolve(cwd, ENV_FILE);
  if (!existsSync(file)) return [];
  const parsed = parseEnv(readFileSync(file, 'utf8')) as Record<string, string>;
  const set: string[] = [];
  for (const [name, value] of Object.entries(parsed)) {
    if (!isAqlakeEnvName(name) || env[name] !== undefined) continue;
    env[name] = value;
    set.push(name);
  }
  return set;
}

export const ENV_EXAMPLE = `# aqlake reads a .env in the folder it runs in; the process environment wins over it.
# Copy this file to .env and fill in what you use. Keep .env out of git: it holds secrets.

# OpenAQ API key (https://explore.openaq.org/register). Never logged.
OPENAQ_API_KEY=
# OPENAQ_API_URL=https://api.openaq.org/v3
# OPENAQ_ARCHIVE_URL=https://openaq-data-archive.s3.amazonaws.com

# Where the lake lives and which engine runs it (local | aws).
# AQLAKE_HOME=./lake
# AQLAKE_ENGINE=local
# AQLAKE_LOG_LEVEL=info
# Bearer token the HTTP server asks of write requests (aqlake serve). Never logged.
# AQLAKE_TOKEN=

# For AQLAKE_ENGINE=aws or an S3 home (or use an AWS profile instead).
# AWS_REGION=
# AWS_ACCESS_KEY_ID=
# AWS_SECRET_ACCESS_KEY=
# AWS_PROFILE=
`;

/** Makes sure git ignores the folder's .env: appends a line to .gitignore (creating it) unless a line already covers it. */
export function ensureEnvIgnored(cwd: string = process.cwd()): 'already' | 'appended' | 'created' {
  const file = resolve(cwd, '.gitignore');
  if (!existsSync(file)) {
    writeFileSync(file, `${ENV_FILE}\n`);
    return 'created';
  }
  const text = readFileSync(file, 'utf8');
  const covered = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .some((l) => l === '.env' || l === '/.env' || l === '.env*' || l === '*.env' || l === '/.env*');
  if (covered) return 'already';
  appendFileSync(file, `${text === '' || text.endsWith('\n') ? '' : '\n'}${ENV_FILE}\n`);
  return 'appended';
}
