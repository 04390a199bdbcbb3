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
    options.destination ?? pino.destination(2),
  );
}

export function scrubSecrets(text: string, secrets: readonly string[]): string {
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
