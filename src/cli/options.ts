// Parsers for flag values shared by several commands; each fails with a UsageError naming the flag.
import type { Command } from 'commander';
import { type AqlakeConfig, loadConfig } from '../config/index.js';
import { UsageError } from '../errors.js';
import { isIsoDate } from '../time/local-day.js';

export function parseIsoDateFlag(flag: string, value: string): string {
  if (!isIsoDate(value)) {
    const problem = /^\d{4}-\d{2}-\d{2}$/.test(value) ? 'no such calendar day' : 'expected a date YYYY-MM-DD';
    throw new UsageError(`${flag}: ${problem}, got "${value}"`);
  }
  return value;
}

export function parseDateRange(from: string, to: string): { from: string; to: string } {
  const range = { from: parseIsoDateFlag('--from', from), to: parseIsoDateFlag('--to', to) };
  if (range.to < range.from) throw new UsageError(`--to (${range.to}) is before --from (${range.from})`);
  return range;
}

export function parseLocationIds(value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  const ids = value.split(',').map((s) => s.trim());
  const bad = ids.find((s) => !/^[1-9]\d*$/.test(s));
  if (bad !== undefined)
    throw new UsageError(`--locations: expected comma-separated location ids like 2178,8118, got "${value}"`);
  return ids.map(Number);
}

export function parsePositiveInt(flag: string, value: string): number {
  if (!/^[1-9]\d*$/.test(value))
    throw new UsageError(`${flag}: expected a positive whole number, got "${value}"`);
  return Number(value);
}

/** The validated configuration for a command, honouring the global --config flag. */
export function configFor(command: Command): AqlakeConfig {
  const { config } = command.optsWithGlobals<{ config?: string }>();
  return loadConfig({ file: config });
}
