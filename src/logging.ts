// Structured logs (pino) with secrets kept out: known secret fields are redacted and secret values scrubbed from text.
import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger } from 'pino';

const REDACT_PATHS = [
  'apiKey',
  'key',
  'token',
  'password',
  'secretAccessKey',
  'headers["x-api-key"]',
  'headers["X-API-Key"]',
  'headers.authorization',
  '*.apiKey',
  '*.token',
  '*.secretAccessKey',
];

export interface LoggerOptions {
  level?: string;
  /** Values that must never appear in a log line (API keys, AWS secrets). */
  secrets?: readonly (string | undefined)[];
  destination?: DestinationStream;
  /** Where lines go without a destination (default process.stderr): human lines on a terminal, JSON otherwise. */
  stderr?: { isTTY?: boolean; write(text: string): unknown };
  /** AQLAKE_LOG_FORMAT=json keeps JSON lines on a terminal too (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/**
 * `human` on a terminal unless AQLAKE_LOG_FORMAT=json; JSON lines when stderr is a file or a pipe (a collector) or
 * when asked with AQLAKE_LOG_FORMAT=json. Task logs are always JSON (they have a destination of their own).
 */
export function logFormat(
  isTTY: boolean | undefined,
  env: NodeJS.ProcessEnv = process.env,
): 'json' | 'human' {
  const asked = env.AQLAKE_LOG_FORMAT?.toLowerCase();
  if (asked === 'json') return 'json';
  if (asked === 'human' || asked === 'pretty') return 'human';
  return isTTY ? 'human' : 'json';
}

const LEVEL_WORDS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: '',
  40: 'warning',
  50: 'error',
  60: 'fatal',
};
const MACHINE_FIELDS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'err', 'stack']);

/** The record of one pino JSON line; null for any other line (plain text a task printed). */
export function parseLogRecord(line: string): Record<string, unknown> | null {
  try {
    const rec = JSON.parse(line) as unknown;
    return typeof rec === 'object' && rec !== null && !Array.isArray(rec)
      ? (rec as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** One pino JSON line as a person reads it: `aqlake: warning: message (key=value, …)`. */
export function humanLogLine(line: string): string {
  const rec = parseLogRecord(line);
  if (!rec) return line;
  const word = LEVEL_WORDS[rec.level as number] ?? '';
  const err = rec.err as { message?: unknown } | undefined;
  const extras = Object.entries(rec)
    .filter(([k, v]) => !MACHINE_FIELDS.has(k) && v !== undefined && v !== null)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  const why = err && typeof err.message === 'string' ? `: ${err.message}` : '';
  return `aqlake: ${word ? `${word}: ` : ''}${String(rec.msg ?? '')}${why}${extras.length ? ` (${extras.join(', ')})` : ''}\n`;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const secrets = (options.secrets ?? []).filter((s): s is string => typeof s === 'string' && s.length >= 4);
  return pino(
    {
      level: options.level ?? process.env.AQLAKE_LOG_LEVEL ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      hooks: {
        streamWrite: (line) => scrubSecrets(line, secrets),
      },
    },
    options.destination ?? defaultDestination(options),
  );
}

function defaultDestination(options: LoggerOptions): DestinationStream {
  const stderr = options.stderr ?? process.stderr;
  if (logFormat(stderr.isTTY, options.env) === 'human')
    return { write: (line) => stderr.write(humanLogLine(line)) };
  return options.stderr ? { write: (line) => stderr.write(line) } : pino.destination(2);
}

function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join('[redacted]');
  return out;
}

/** Secrets from the environment that every logger of this process must scrub. */
export function environmentSecrets(env: NodeJS.ProcessEnv = process.env): string[] {
  return [env.OPENAQ_API_KEY, env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN, env.AQLAKE_TOKEN].filter(
    (s): s is string => Boolean(s),
  );
}
