// What each task of a run cost on AWS (Glue DPU-seconds, Athena bytes, in dollars at list price), recorded in the lake
// database beside the run history as the engine reports each Glue run and Athena query; `aqlake runs` and
// `aqlake tasks` show it. Tasks on the local engine record nothing.
import type { PricedCall } from '../engines/engine.js';
import type { MetaDb } from '../lake/meta/meta-db.js';

export interface CostTotals {
  glueDpuSeconds: number;
  glueBilledDpuSeconds: number;
  athenaBytesScanned: number;
  athenaBilledBytes: number;
  calls: number;
  usd: number;
}

/** One priced call (a Glue job run, an Athena query) of a task try. */
export function recordTaskCost(
  meta: MetaDb,
  at: { runId: string; taskId: string; tryNumber: number },
  cost: PricedCall,
  recordedAt: Date,
): void {
  meta
    .prepare(
      `INSERT INTO task_costs VALUES (@runId, @taskId, @tryNumber, @recordedAt, @glueDpuSeconds, @glueBilledDpuSeconds,
         @glueJobRuns, @athenaBytesScanned, @athenaBilledBytes, @athenaQueries, @usd)`,
    )
    .run({
      ...at,
      recordedAt: recordedAt.toISOString(),
      glueDpuSeconds: cost.glueDpuSeconds ?? 0,
      glueBilledDpuSeconds: cost.glueBilledDpuSeconds ?? 0,
      glueJobRuns: cost.glueJobRuns ?? 0,
      athenaBytesScanned: cost.athenaBytesScanned ?? 0,
      athenaBilledBytes: cost.athenaBilledBytes ?? 0,
      athenaQueries: cost.athenaQueries ?? 0,
      usd: cost.usd,
    });
}

const TOTALS = `sum(glue_dpu_seconds) AS glueDpuSeconds, sum(glue_billed_dpu_seconds) AS glueBilledDpuSeconds,
  sum(athena_bytes_scanned) AS athenaBytesScanned, sum(athena_billed_bytes) AS athenaBilledBytes,
  count(*) AS calls, sum(usd) AS usd`;

/** Per task of a run, every try summed; empty when nothing ran on AWS. */
export function taskCosts(meta: MetaDb, runId: string): Map<string, CostTotals> {
  const rows = meta
    .prepare(`SELECT task_id AS taskId, ${TOTALS} FROM task_costs WHERE run_id = ? GROUP BY task_id`)
    .all(runId) as (CostTotals & { taskId: string })[];
  return new Map(rows.map(({ taskId, ...t }) => [taskId, t]));
}

/** Per run, every task and try summed. */
export function runCosts(meta: MetaDb, runIds: readonly string[]): Map<string, CostTotals> {
  if (runIds.length === 0) return new Map();
  const rows = meta
    .prepare(
      `SELECT run_id AS runId, ${TOTALS} FROM task_costs WHERE run_id IN (SELECT value FROM json_each(?)) GROUP BY run_id`,
    )
    .all(JSON.stringify(runIds)) as (CostTotals & { runId: string })[];
  return new Map(rows.map(({ runId, ...t }) => [runId, t]));
}

/** `$0.0147` (or `-` without AWS calls). */
export function formatUsd(t: CostTotals | undefined): string {
  return t ? `$${t.usd.toFixed(4)}` : '-';
}
