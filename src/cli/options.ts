// Parsers for flag values shared by several commands; each fails with a UsageError naming the flag.
import type { Command } from 'commander';
import { type AqlakeConfig, loadConfig } from '../config/index.js';
import { UsageError } from '../errors.js';
import { eachDate, isIsoDate, latestToday } from '../time/local-day.js';

export function parseIsoDateFlag(flag: string, value: string): string {
  if (!isIsoDate(value)) {
    const problem = /^\d{4}-\d{2}-\d{2}$/.test(value) ? 'no such calendar day' : 'expected a date YYYY-MM-DD';
    throw new UsageError(`${flag}: ${problem}, got "${value}"`);
  }
  return value;
}

/** Days of data to fetch: no day that has not begun anywhere on Earth yet (see latestToday). */
export function parseDateRange(from: string, to: string): { from: string; to: string } {
  const range = { from: parseDataDateFlag('--from', from), to: parseDataDateFlag('--to', to) };
  if (range.to < range.from) throw new UsageError(`--to (${range.to}) is before --from (${range.from})`);
  return range;
}

/** A date of data to fetch (run, backfill, extract, trigger): a real calendar day, not after latestToday(). */
export function parseDataDateFlag(flag: string, value: string, now: Date = new Date()): string {
  const date = parseIsoDateFlag(flag, value);
  const today = latestToday(now);
  if (date > today)
    throw new UsageError(
      `${flag}: ${date} is in the future (no location has reached it yet; today is ${today} at the latest)`,
    );
  return date;
}

/** Longest range `run`/`backfill` start without --yes: a typo in a year must not queue a decade of runs. */
const MAX_DAYS_WITHOUT_YES = 366;

export function checkRangeSize(
  range: { from: string; to: string },
  yes: boolean | undefined,
  hint = '',
): void {
  const days = eachDate(range.from, range.to).length;
  if (days > MAX_DAYS_WITHOUT_YES && !yes)
    throw new UsageError(
      `${range.from}..${range.to} is ${days} days (more than ${MAX_DAYS_WITHOUT_YES}): pass --yes to run them all${hint}`,
    );
}

export function parseLocationIds(value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  const ids = value.split(',').map((s) => s.trim());
  const bad = ids.find((s) => !/^[1-9]\d*$/.test(s) || !Number.isSafeInteger(Number(s)));
  if (bad !== undefined)
    throw new UsageError(
      `--locations: expected comma-separated location ids like 2178,8118 (whole numbers up to ${Number.MAX_SAFE_INTEGER}), got "${bad}"`,
    );
  return ids.map(Number);
}

export function parsePositiveInt(flag: string, value: string): number {
  if (!/^[1-9]\d*$/.test(value) || !Number.isSafeInteger(Number(value)))
    throw new UsageError(`${flag}: expected a positive whole number, got "${value}"`);
  return Number(value);
}

/** The validated configuration for a command, honouring the global --config flag. */
export function configFor(command: Command): AqlakeConfig {
  const { config } = command.optsWithGlobals<{ config?: string }>();
  return loadConfig({ file: config });
}
