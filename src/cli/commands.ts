// Every aqlake command, one module each.
import type { Command } from 'commander';
import { registerBackfill } from './backfill.js';
import { registerClear } from './clear.js';
import { registerExtract } from './extract.js';
import { registerInit } from './init.js';
import { registerLogs } from './logs.js';
import { registerRuns } from './runs.js';
import { registerScheduler } from './scheduler.js';
import { registerServe } from './serve.js';
import { registerSimulate } from './simulate.js';
import { registerTasks } from './tasks.js';
import { registerTrigger } from './trigger.js';

export const commandModules: ((program: Command) => void)[] = [
  registerInit,
  registerExtract,
  registerSimulate,
  registerScheduler,
  registerTrigger,
  registerBackfill,
  registerRuns,
  registerTasks,
  registerLogs,
  registerClear,
  registerServe,
];
