// The few error types a user can meet; each carries what failed and where, and the CLI prints its message as one line.

export class AqlakeError extends Error {
  /** Process exit code when this error ends a CLI command. */
  readonly exitCode: number = 1;
}

/** A configuration file or environment value that does not pass validation. */
export class ConfigError extends AqlakeError {
  override readonly exitCode = 2;
  /** A task that meets a bad configuration fails at once: retrying reads the same configuration. */
  readonly retryable = false;
  constructor(
    readonly path: string,
    readonly issue: string,
    readonly source = 'aqlake.config.json',
  ) {
    super(`${source}: ${path ? `${path}: ` : ''}${issue}`);
    this.name = 'ConfigError';
  }
}

/** Bad command-line input: a flag value, a date, an unknown id. */
export class UsageError extends AqlakeError {
  override readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** An OpenAQ API answer that is an error or cannot be used. `url` never contains the API key. */
export class OpenAQError extends AqlakeError {
  /** True when no other request of this command can succeed either (a refused key, an unreachable host). */
  readonly stopsCommand: boolean;
  /** A task that meets such an error fails at once: retrying sends the same key to the same host. */
  readonly retryable: boolean;

  constructor(
    message: string,
    readonly status: number | null,
    readonly url: string,
    readonly body?: string,
    options: { stopsCommand?: boolean } = {},
  ) {
    super(message);
    this.name = 'OpenAQError';
    this.stopsCommand = options.stopsCommand ?? false;
    this.retryable = !this.stopsCommand;
  }
}

/** A failure inside a compute engine (DuckDB, Glue, Athena), with the statement or job that failed. */
export class EngineError extends AqlakeError {
  constructor(
    message: string,
    readonly kind: string,
    readonly sql?: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

/** A pipeline step that ran but whose outcome must fail the run (validation, a failed check). */
export class PipelineError extends AqlakeError {
  /** False when trying again cannot help (the data itself fails a check): the orchestrator then fails at once. */
  readonly retryable: boolean;

  constructor(
    message: string,
    readonly task?: string,
    readonly day?: string,
    options: { retryable?: boolean } = {},
  ) {
    super(message);
    this.name = 'PipelineError';
    this.retryable = options.retryable ?? true;
  }
}

/** Whether a task's error says a retry cannot help (`retryable: false`). */
export function isNonRetryable(err: unknown): boolean {
  return (
    (typeof err === 'object' && err !== null && (err as { retryable?: unknown }).retryable === false) ||
    stopsCommand(err)
  );
}

/**
 * Whether nothing else the command would do can succeed after this error: the OpenAQ key was refused, the API host
 * cannot be reached, the disk is full or failing. A run or backfill then stops instead of failing every day in turn.
 */
export function stopsCommand(err: unknown): boolean {
  if (typeof err === 'object' && err !== null && (err as { stopsCommand?: unknown }).stopsCommand === true)
    return true;
  return storageFailure(err) !== undefined;
}

const DISK_FULL_CODES = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL']);
const IO_CODES = new Set(['EIO', 'EROFS']);
const DISK_FULL_MESSAGE = /no space left on device|database or disk is full|disk quota exceeded/i;
const IO_MESSAGE = /disk I\/O error|input\/output error|read-only file system/i;

/** `disk full` or `I/O error` when the error (or one of its causes) says the storage failed; else undefined. */
export function storageFailure(err: unknown): 'disk full' | 'I/O error' | undefined {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    const code = typeof e === 'object' ? String((e as { code?: unknown }).code ?? '') : '';
    const message = e instanceof Error ? e.message : typeof e === 'string' ? e : '';
    if (DISK_FULL_CODES.has(code) || DISK_FULL_MESSAGE.test(message)) return 'disk full';
    if (IO_CODES.has(code) || code.startsWith('SQLITE_IOERR') || IO_MESSAGE.test(message)) return 'I/O error';
    e = e instanceof Error ? e.cause : undefined;
  }
  return undefined;
}

export function isNotFound(err: unknown): boolean {
  return (
    typeof err === 'object' && err !== null && 'code' in err && (err as { code: unknown }).code === 'ENOENT'
  );
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
