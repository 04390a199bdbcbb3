// What the AWS engine's calls cost, in the units AWS bills: Glue DPU-seconds and Athena bytes scanned.

export interface AwsCost {
  /** Glue DPU-seconds: DPUSeconds when Glue reports it (auto-scaling, Flex), else ExecutionTime × MaxCapacity. */
  glueDpuSeconds: number;
  glueJobRuns: number;
  /** Athena DataScannedInBytes, summed (Athena bills at least 10 MB a query; that minimum is not added here). */
  athenaBytesScanned: number;
  athenaQueries: number;
}

export function zeroCost(): AwsCost {
  return { glueDpuSeconds: 0, glueJobRuns: 0, athenaBytesScanned: 0, athenaQueries: 0 };
}

export function addCost(a: AwsCost, b: Partial<AwsCost>): AwsCost {
  return {
    glueDpuSeconds: a.glueDpuSeconds + (b.glueDpuSeconds ?? 0),
    glueJobRuns: a.glueJobRuns + (b.glueJobRuns ?? 0),
    athenaBytesScanned: a.athenaBytesScanned + (b.athenaBytesScanned ?? 0),
    athenaQueries: a.athenaQueries + (b.athenaQueries ?? 0),
  };
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

/** `1.2 GB scanned, 340 DPU-s (2 Glue runs, 14 queries)`. */
export function formatCost(cost: AwsCost): string {
  return `${formatBytes(cost.athenaBytesScanned)} scanned, ${Math.round(cost.glueDpuSeconds)} DPU-s (${cost.glueJobRuns} Glue run${cost.glueJobRuns === 1 ? '' : 's'}, ${cost.athenaQueries} Athena quer${cost.athenaQueries === 1 ? 'y' : 'ies'})`;
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
