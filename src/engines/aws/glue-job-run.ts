// One Glue job run: StartJobRun, GetJobRun with backoff until it ends, BatchStopJobRun when cancelled or timed out.
import {
  BatchStopJobRunCommand,
  GetJobRunCommand,
  type GlueClient,
  type JobRun,
  StartJobRunCommand,
} from '@aws-sdk/client-glue';
import { EngineError, errorMessage } from '../../errors.js';
import { jobRunDpuSeconds } from './aws-cost.js';
import { abortedError, PollAborted, type PollSettings, pollUntil } from './polling.js';

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'TIMEOUT', 'STOPPED', 'ERROR', 'EXPIRED']);

export interface GlueJobRunInput {
  jobName: string;
  /** `--name` → value, as the script reads them. */
  args: Record<string, string>;
  /** Glue's own limit for this run, in minutes (Glue then ends it with TIMEOUT). */
  timeoutMinutes?: number;
}

export interface GlueJobRunResult {
  runId: string;
  state: string;
  dpuSeconds: number;
  executionSeconds: number;
}

/**
 * Starts the job and waits for it. A run that ends other than SUCCEEDED throws an EngineError carrying Glue's
 * ErrorMessage; an abort or the poll timeout stops the run (BatchStopJobRun) and throws kind Timeout/Interrupted.
 * `onCost` hears the DPU-seconds of every run that ended, failed ones included.
 */
export async function runGlueJob(
  glue: GlueClient,
  input: GlueJobRunInput,
  poll: PollSettings,
  onCost: (dpuSeconds: number) => void = () => {},
): Promise<GlueJobRunResult> {
  const started = await glue.send(
    new StartJobRunCommand({
      JobName: input.jobName,
      Arguments: input.args,
      ...(input.timeoutMinutes ? { Timeout: input.timeoutMinutes } : {}),
    }),
  );
  const runId = started.JobRunId;
  if (!runId) throw new EngineError(`Glue did not return a run id for job ${input.jobName}`, 'Glue Error');
  let run: JobRun;
  try {
    run = await pollUntil(
      async () => {
        const out = await glue.send(new GetJobRunCommand({ JobName: input.jobName, RunId: runId }));
        if (!out.JobRun)
          throw new EngineError(`Glue returned no run ${runId} of job ${input.jobName}`, 'Glue Error');
        return out.JobRun;
      },
      (r) => TERMINAL.has(r.JobRunState ?? ''),
      poll,
    );
  } catch (err) {
    if (!(err instanceof PollAborted)) throw err;
    await stopRun(glue, input.jobName, runId);
    throw abortedError(err, `Glue job ${input.jobName} run ${runId}`);
  }
  const dpuSeconds = jobRunDpuSeconds(run);
  onCost(dpuSeconds);
  const state = run.JobRunState ?? 'UNKNOWN';
  if (state !== 'SUCCEEDED') {
    const why = run.ErrorMessage?.trim() || 'Glue gave no error message';
    throw new EngineError(`Glue job ${input.jobName} run ${runId} ${state}: ${why}`, `Glue Job ${state}`);
  }
  return { runId, state, dpuSeconds, executionSeconds: run.ExecutionTime ?? 0 };
}

async function stopRun(glue: GlueClient, jobName: string, runId: string): Promise<void> {
  try {
    const out = await glue.send(new BatchStopJobRunCommand({ JobName: jobName, JobRunIds: [runId] }));
    const failed = out.Errors?.find((e) => e.JobRunId === runId);
    // A run that ended on its own between the last poll and the stop cannot be stopped: nothing is left running.
    if (failed && !/not running|already|finished|completed/i.test(failed.ErrorDetail?.ErrorMessage ?? ''))
      throw new EngineError(
        `could not stop Glue job ${jobName} run ${runId}: ${failed.ErrorDetail?.ErrorMessage ?? 'unknown error'}`,
        'Glue Error',
      );
  } catch (err) {
    if (err instanceof EngineError) throw err;
    throw new EngineError(
      `could not stop Glue job ${jobName} run ${runId}: ${errorMessage(err)}`,
      'Glue Error',
    );
  }
}
