// The list of benchmarks `npm run bench` runs. Each returns named figures; ratios are against a baseline run in the same process.
import { archiveBenchmark } from './archive.js';
import { cliBenchmark } from './cli.js';
import { orchestratorBenchmark } from './orchestrator.js';
import { queryBenchmark } from './query.js';
import { transformBenchmark } from './transform.js';

export interface Benchmark {
  name: string;
  run: () => Promise<Record<string, number | string>>;
}

export const benchmarks: Benchmark[] = [
  { name: 'orchestrator', run: orchestratorBenchmark },
  { name: 'archive', run: archiveBenchmark },
  { name: 'transform', run: transformBenchmark },
  { name: 'query', run: queryBenchmark },
  { name: 'cli', run: cliBenchmark },
];
