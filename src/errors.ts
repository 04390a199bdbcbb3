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
  constructor(
    message: string,
    readonly status: number | null,
    readonly url: string,
    readonly body?: string,
  ) {
    super(message);
    this.name = 'OpenAQError';
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
  return typeof err === 'object' && err !== null && (err as { retryable?: unknown }).retryable === false;
}

export function isNotFound(err: unknown): boolean {
  return (
    typeof err === 'object' && err !== null && 'code' in err && (err as { code: unknown }).code === 'ENOENT'
  );
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
