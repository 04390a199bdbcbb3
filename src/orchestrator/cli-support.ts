// What the orchestrator's commands share: the run store, the DAG a flag names, stopping on signals, text output.
import type { AqlakeConfig } from '../config/index.js';
import { openMetaDb } from '../lake/meta/meta-db.js';
import type { Dag } from './dag.js';
import type { ExecutorEvent } from './executor.js';
import type { DagRegistry } from './registry.js';
import { RunStore } from './run-store.js';

export function openRunStore(config: AqlakeConfig): RunStore {
  return new RunStore(openMetaDb(config.home));
}

/** The DAG named by --dag, else the default one (openaq_daily when registered). */
export function pickDag(dags: DagRegistry, config: AqlakeConfig, id: string | undefined): Dag {
  dags.load(config);
  return dags.get(id ?? dags.defaultId());
}

/**
 * An AbortSignal that fires on the first SIGINT/SIGTERM (running tasks are interrupted and recorded);
 * a second signal exits at once, and the next command recovers what was left running.
 */
export function stopOnSignals(onStop?: (signal: NodeJS.Signals) => void): {
  signal: AbortSignal;
  dispose(): void;
} {
  const controller = new AbortController();
  const handler = (sig: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(130);
    onStop?.(sig);
    controller.abort(sig);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

/** Run params from command flags: only the ones given. */
export function runParams(flags: {
  locations?: number[] | undefined;
  source?: string | undefined;
}): Record<string, unknown> {
  return {
    ...(flags.locations ? { locations: flags.locations } : {}),
    ...(flags.source ? { source: flags.source } : {}),
  };
}

/**
 * Params of a range run (backfill, run, demo): the range itself, so a DAG's extract can fetch it once in wide windows
 * and the runs of the other days reuse what is already in raw/ (fetched since `since`, the start of the command).
 */
export function rangeParams(
  from: string,
  to: string,
  since: Date,
): { prefetch: { from: string; to: string; since: string } } {
  return { prefetch: { from, to, since: since.toISOString() } };
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** An ISO instant as `YYYY-MM-DD HH:MM:SS` UTC, or `-`. */
export function formatTime(iso: string | null | undefined): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 19)}` : '-';
}

export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** One line for an executor event, or null for events not worth a line. */
export function describeEvent(event: ExecutorEvent): string | null {
  switch (event.kind) {
    case 'run-started':
      return `${event.runId}: started`;
    case 'run-finished':
      return `${event.runId}: ${event.state}`;
    case 'task-started':
      return null;
    case 'task-finished': {
      const base = `${event.runId} ${event.taskId}: ${event.state} (try ${event.tryNumber}, ${formatDuration(event.durationMs)})`;
      const retry = event.retryAt ? `; retry at ${formatTime(event.retryAt)}` : '';
      return `${base}${event.error ? ` — ${firstLine(event.error)}` : ''}${retry}`;
    }
    case 'recovered':
      return `${event.task.runId} ${event.task.taskId}: try ${event.task.tryNumber} recovered as ${event.task.state} (${event.task.reason})`;
  }
}

export function firstLine(text: string, max = 160): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
