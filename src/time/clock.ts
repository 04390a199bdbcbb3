// What "now" is for the CLI's output and plans: the system clock, or the fixed instant AQLAKE_NOW names.
import { UsageError } from '../errors.js';

export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

/**
 * The CLI's clock for what it prints and plans (a running run's duration so far, which days of a backfill the
 * archive serves): AQLAKE_NOW=2024-05-03T12:00:00Z fixes it, for golden tests and reproducible transcripts.
 * Runs themselves always execute on the system clock (retry times must be real).
 */
export function cliClock(env: NodeJS.ProcessEnv = process.env): Clock {
  const fixed = env.AQLAKE_NOW;
  if (!fixed) return systemClock;
  const at = Date.parse(fixed);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(fixed) || Number.isNaN(at))
    throw new UsageError(`AQLAKE_NOW: expected an ISO instant like 2024-05-03T12:00:00Z, got "${fixed}"`);
  return () => new Date(at);
}
