// aqlake logs RUN TASK: prints a task try's log file (the latest try unless --try N).
import type { Command } from 'commander';
import { isNotFound, UsageError } from '../errors.js';
import { openRunStore } from '../orchestrator/cli-support.js';
import { formatLogLine, readTaskLog, type TaskTry } from '../orchestrator/index.js';
import { configFor, parsePositiveInt } from './options.js';

interface LogsFlags {
  try?: string;
  all?: boolean;
  json?: boolean;
}

export function registerLogs(command: Command): void {
  command
    .argument('<run>', 'run id, e.g. openaq_daily__2024-05-01')
    .argument('<task>', 'task id, e.g. transform')
    .option('--try <n>', 'which try (1 = first)')
    .option('--all', 'every try, one after another')
    .option('--json', 'the stored pino JSON lines as they are')
    .addHelpText(
      'after',
      '\nLogs live in AQLAKE_HOME/_logs/DAG/RUN/TASK/try-N.log; secrets are redacted when written.',
    )
    .action((runId: string, taskId: string, flags: LogsFlags, command: Command) => {
      const config = configFor(command);
      const store = openRunStore(config);
      let tries: TaskTry[];
      try {
        if (!store.getRun(runId)) throw new UsageError(`no run "${runId}" (see aqlake runs)`);
        const ti = store.getTaskInstance(runId, taskId);
        if (!ti) {
          const known = store.listTaskInstances(runId).map((t) => t.taskId);
          throw new UsageError(`run ${runId} has no task "${taskId}" (tasks: ${known.join(', ')})`);
        }
        tries = store.listTaskTries(runId, taskId);
      } finally {
        store.db.close();
      }
      if (tries.length === 0) throw new UsageError(`${runId} ${taskId} has not started a try yet`);
      let chosen = tries.slice(-1);
      if (flags.all) chosen = tries;
      if (flags.try !== undefined) {
        const n = parsePositiveInt('--try', flags.try);
        const one = tries.find((t) => t.tryNumber === n);
        if (!one)
          throw new UsageError(
            `${runId} ${taskId} has no try ${n} (tries: ${tries.map((t) => t.tryNumber).join(', ')})`,
          );
        chosen = [one];
      }
      for (const t of chosen) {
        let text: string;
        try {
          text = readTaskLog(config.home, t.logPath);
        } catch (err) {
          if (!isNotFound(err)) throw err;
          text = '';
        }
        if (!flags.json)
          process.stdout.write(
            `── ${runId} ${taskId} try ${t.tryNumber}: ${t.state}${t.error ? ` (${t.error})` : ''} ── ${t.logPath}\n`,
          );
        const lines = text.split('\n').filter((l) => l.length > 0);
        if (lines.length === 0 && !flags.json) process.stdout.write('(empty log)\n');
        for (const line of lines) process.stdout.write(`${flags.json ? line : formatLogLine(line)}\n`);
      }
    });
}
