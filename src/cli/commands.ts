// Every aqlake command, one module each.
import type { Command } from 'commander';
import { registerAws } from './aws.js';
import { registerBackfill } from './backfill.js';
import { registerBi } from './bi.js';
import { registerCatalog } from './catalog.js';
import { registerCheck } from './check.js';
import { registerClear } from './clear.js';
import { registerDemo } from './demo.js';
import { registerExport } from './export.js';
import { registerExtract } from './extract.js';
import { registerInit } from './init.js';
import { registerLogs } from './logs.js';
import { registerQuery } from './query.js';
import { registerRollback } from './rollback.js';
import { registerRun } from './run.js';
import { registerRuns } from './runs.js';
import { registerScheduler } from './scheduler.js';
import { registerServe } from './serve.js';
import { registerSimulate } from './simulate.js';
import { registerTasks } from './tasks.js';
import { registerTrigger } from './trigger.js';
import { registerVacuum } from './vacuum.js';

export const commandModules: ((program: Command) => void)[] = [
  registerInit,
  registerDemo,
  registerExtract,
  registerRun,
  registerSimulate,
  registerScheduler,
  registerTrigger,
  registerBackfill,
  registerRuns,
  registerTasks,
  registerLogs,
  registerClear,
  registerServe,
  registerCatalog,
  registerRollback,
  registerVacuum,
  registerQuery,
  registerBi,
  registerExport,
  registerCheck,
  registerAws,
];
