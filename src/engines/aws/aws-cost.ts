// What the AWS engine's calls cost, in the units AWS bills: Glue DPU-seconds and Athena bytes scanned.

export interface AwsCost {
  /** Glue DPU-seconds: DPUSeconds when Glue reports it (auto-scaling, Flex), else ExecutionTime × MaxCapacity. */
  glueDpuSeconds: number;
  /** What Glue bills: each run at least 1 minute of its capacity (Glue 2.0+ bills per second, 1-minute minimum). */
  glueBilledDpuSeconds: number;
  glueJobRuns: number;
  /** Athena DataScannedInBytes, summed. */
  athenaBytesScanned: number;
  /** What Athena bills: each query at least 10 MB. */
  athenaBilledBytes: number;
  athenaQueries: number;
}

/** AWS list prices (us-east-1 and most regions): Glue ETL $0.44 per DPU-hour, Athena $5 per TB scanned. */
const GLUE_USD_PER_DPU_HOUR = 0.44;
const ATHENA_USD_PER_TB = 5;
/** Athena's minimum per query (10 MB) and its TB (2^40 bytes, as its pricing rounds in MB of 2^20). */
const ATHENA_MIN_BILLED_BYTES = 10 * 2 ** 20;
const TB = 2 ** 40;

export function zeroCost(): AwsCost {
  return {
    glueDpuSeconds: 0,
    glueBilledDpuSeconds: 0,
    glueJobRuns: 0,
    athenaBytesScanned: 0,
    athenaBilledBytes: 0,
    athenaQueries: 0,
  };
}

export function addCost(a: AwsCost, b: Partial<AwsCost>): AwsCost {
  return {
    glueDpuSeconds: a.glueDpuSeconds + (b.glueDpuSeconds ?? 0),
    glueBilledDpuSeconds: a.glueBilledDpuSeconds + (b.glueBilledDpuSeconds ?? 0),
    glueJobRuns: a.glueJobRuns + (b.glueJobRuns ?? 0),
    athenaBytesScanned: a.athenaBytesScanned + (b.athenaBytesScanned ?? 0),
    athenaBilledBytes: a.athenaBilledBytes + (b.athenaBilledBytes ?? 0),
    athenaQueries: a.athenaQueries + (b.athenaQueries ?? 0),
  };
}

/** One Glue job run as a cost: its DPU-seconds, billed at least 60 s of its capacity (DPUs). */
export function glueRunCost(dpuSeconds: number, capacityDpus: number): Partial<AwsCost> {
  return {
    glueDpuSeconds: dpuSeconds,
    glueBilledDpuSeconds: Math.max(dpuSeconds, 60 * capacityDpus),
    glueJobRuns: 1,
  };
}

/** One Athena query as a cost: its bytes scanned, billed at least 10 MB (DDL and failed queries are not billed). */
export function athenaQueryCost(bytesScanned: number, billed = true): Partial<AwsCost> {
  return {
    athenaBytesScanned: bytesScanned,
    athenaBilledBytes: billed ? Math.max(bytesScanned, ATHENA_MIN_BILLED_BYTES) : 0,
    athenaQueries: 1,
  };
}

/** US dollars at list price: Glue DPU-hours × $0.44 plus Athena TB × $5. */
export function costUsd(cost: AwsCost): number {
  return (
    (cost.glueBilledDpuSeconds / 3600) * GLUE_USD_PER_DPU_HOUR +
    (cost.athenaBilledBytes / TB) * ATHENA_USD_PER_TB
  );
}

/** DPU-seconds of one job run from GetJobRun's fields. */
export function jobRunDpuSeconds(run: {
  DPUSeconds?: number | undefined;
  ExecutionTime?: number | undefined;
  MaxCapacity?: number | undefined;
}): number {
  if (typeof run.DPUSeconds === 'number') return run.DPUSeconds;
  return (run.ExecutionTime ?? 0) * (run.MaxCapacity ?? 0);
}

/** `$0.0420: 1.2 GB scanned, 340 DPU-s (2 Glue runs, 14 queries)`. */
export function formatCost(cost: AwsCost): string {
  return `$${costUsd(cost).toFixed(4)}: ${formatBytes(cost.athenaBytesScanned)} scanned, ${Math.round(cost.glueDpuSeconds)} DPU-s (${cost.glueJobRuns} Glue run${cost.glueJobRuns === 1 ? '' : 's'}, ${cost.athenaQueries} Athena quer${cost.athenaQueries === 1 ? 'y' : 'ies'})`;
}

function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
