// When runs are due: a run for local day D is due at the first cron fire time at or after the end of D (Airflow's rule).
import { Cron } from 'croner';
import { DateTime } from 'luxon';
import { addDays, todayIn } from '../time/local-day.js';
import type { Schedule } from './dag.js';

/** The instant local day D ends (the start of D + 1) in `timezone`; 23 or 25 hours after it began on DST days. */
export function dayEndUtc(logicalDate: string, timezone: string): Date {
  return DateTime.fromISO(logicalDate, { zone: timezone }).startOf('day').plus({ days: 1 }).toJSDate();
}

function cronOf(schedule: Schedule): Cron {
  return new Cron(schedule.cron, { timezone: schedule.timezone, paused: true });
}

/** When the scheduled run for day D becomes due: the first fire time at or after D's end. */
export function dueTime(schedule: Schedule, logicalDate: string): Date {
  const end = dayEndUtc(logicalDate, schedule.timezone);
  const next = cronOf(schedule).nextRun(new Date(end.getTime() - 1));
  if (!next) throw new Error(`cron "${schedule.cron}" never fires after ${logicalDate}`);
  return next;
}

/** The latest fire time at or before `now`, or null if the cron never fired before. */
function lastFireTime(schedule: Schedule, now: Date): Date | null {
  return cronOf(schedule).previousRuns(1, new Date(now.getTime() + 1))[0] ?? null;
}

/** The next fire time strictly after `now`. */
export function nextFireTime(schedule: Schedule, now: Date): Date | null {
  return cronOf(schedule).nextRun(now);
}

/**
 * The latest logical date whose run is due at `now`: D is due when some fire time f ≤ now has f ≥ end(D),
 * so the latest such D is the day before the local date of the last fire.
 */
export function latestDueDate(schedule: Schedule, now: Date): string | null {
  const fired = lastFireTime(schedule, now);
  if (!fired) return null;
  return addDays(todayIn(schedule.timezone, fired), -1);
}

export interface DueRunsInput {
  schedule: Schedule | null;
  startDate: string;
  catchup: boolean;
  maxActiveRuns: number;
  now: Date;
  /** Logical dates that already have a run (of any type). */
  existingDates: ReadonlySet<string>;
  /** Runs of this DAG the scheduler is already working on (queued or running). */
  activeRuns: number;
}

/**
 * The logical dates the scheduler should create runs for now, oldest first: with catchup, every due day since
 * startDate without a run; without, only the latest due day. Never more than the free active-run slots.
 */
export function dueLogicalDates(input: DueRunsInput): string[] {
  if (!input.schedule) return [];
  const latest = latestDueDate(input.schedule, input.now);
  if (!latest || latest < input.startDate) return [];
  const free = input.maxActiveRuns - input.activeRuns;
  if (free <= 0) return [];
  if (!input.catchup) return input.existingDates.has(latest) ? [] : [latest];
  const out: string[] = [];
  for (let d = input.startDate; d <= latest && out.length < free; d = addDays(d, 1))
    if (!input.existingDates.has(d)) out.push(d);
  return out;
}

/** The default logical date of a manual trigger: the last complete local day (yesterday in the zone). */
export function defaultTriggerDate(timezone: string, now: Date): string {
  return addDays(todayIn(timezone, now), -1);
}
