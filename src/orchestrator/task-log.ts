// Per-try task logs: `{home}/_logs/{dag}/{run}/{task}/try-{n}.log`, pino JSON lines with secrets redacted.
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DestinationStream } from 'pino';
import { createLogger, type Logger, parseLogRecord } from '../logging.js';

/** The log file of one try, relative to AQLAKE_HOME. */
export function taskLogPath(dagId: string, runId: string, taskId: string, tryNumber: number): string {
  return join('_logs', dagId, runId, taskId, `try-${tryNumber}.log`);
}

/**
 * A synchronous append-only file sink: a line is on disk when the call returns, so a killed process
 * leaves its log complete up to the kill. Writes after close are dropped (a timed-out task that ignores
 * its signal may keep logging).
 */
export class TryLogSink {
  private fd: number | null;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'a');
  }

  write(line: string): void {
    if (this.fd !== null) writeSync(this.fd, line);
  }

  close(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }
}

export interface TryLogger {
  logger: Logger;
  close(): void;
}

export interface TryBindings {
  dag: string;
  run: string;
  task: string;
  try: number;
}

// Bindings are written first, in this order; run and task ids hold no characters JSON escapes.
const ROUTE = /"run":"([^"]*)","task":"([^"]*)","try":(\d+)/;

/**
 * Opens per-try log files. One redacting pino logger serves every try (building one per try costs more
 * than the rest of a no-op task): each try logs through a child, and lines go to the file its bindings name.
 */
export class TaskLogFiles {
  private readonly base: Logger;
  private readonly sinks = new Map<string, TryLogSink>();
  private readonly dirs = new Set<string>();

  constructor(
    private readonly home: string,
    secrets: readonly string[],
  ) {
    const destination: DestinationStream = { write: (line) => this.route(line) };
    this.base = createLogger({ secrets, destination });
  }

  open(relativePath: string, bindings: TryBindings): TryLogger {
    const path = join(this.home, relativePath);
    this.ensureDir(dirname(path));
    const sink = new TryLogSink(path);
    const key = `${bindings.run}\u0000${bindings.task}\u0000${bindings.try}`;
    this.sinks.set(key, sink);
    return {
      logger: this.base.child(bindings),
      close: () => {
        sink.close();
        if (this.sinks.get(key) === sink) this.sinks.delete(key);
      },
    };
  }

  private route(line: string): void {
    const m = ROUTE.exec(line);
    if (m) this.sinks.get(`${m[1]}\u0000${m[2]}\u0000${m[3]}`)?.write(line);
  }

  /** A recursive mkdir per try is slow; most parents exist, so try the leaf first. */
  private ensureDir(dir: string): void {
    if (this.dirs.has(dir)) return;
    try {
      mkdirSync(dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') mkdirSync(dir, { recursive: true });
      else if (code !== 'EEXIST') throw err;
    }
    this.dirs.add(dir);
  }
}

export function readTaskLog(home: string, relativePath: string): string {
  return readFileSync(join(home, relativePath), 'utf8');
}

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'dag', 'run', 'task', 'try']);

/** One pino JSON line as `2024-05-01T10:00:00.000Z INFO  message key=value …`; other lines unchanged. */
export function formatLogLine(line: string): string {
  const rec = parseLogRecord(line);
  if (!rec) return line;
  const time = typeof rec.time === 'number' ? new Date(rec.time).toISOString() : '';
  const level = (LEVELS[rec.level as number] ?? String(rec.level ?? '')).padEnd(5);
  const extras = Object.entries(rec)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => {
      if (k === 'err' && typeof v === 'object' && v !== null && 'stack' in v)
        return `\n    ${String((v as { stack: unknown }).stack).replaceAll('\n', '\n    ')}`;
      return ` ${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`;
    })
    .join('');
  return `${time} ${level} ${String(rec.msg ?? '')}${extras}`;
}
