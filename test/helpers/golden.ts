// Golden files: a command's output compared exactly with test/golden/<name>.txt; UPDATE_GOLDEN=1 rewrites them.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { CliResult } from './cli.js';

const GOLDEN_DIR = fileURLToPath(new URL('../golden/', import.meta.url));

/** A CLI run as a transcript: the command, stdout, stderr when there is any, and the exit code. */
export function transcript(args: readonly string[], result: CliResult): string {
  const parts = [`$ aqlake ${args.join(' ')}\n`, result.stdout];
  if (result.stderr) parts.push(`[stderr]\n${result.stderr}`);
  parts.push(`[exit ${result.code ?? result.signal}]\n`);
  return parts.join('');
}

/**
 * Compares `actual` with the golden file, exactly. With UPDATE_GOLDEN=1 the file is (re)written instead, to be
 * reviewed in the diff like code.
 */
export function expectGolden(name: string, actual: string): void {
  const path = join(GOLDEN_DIR, `${name}.txt`);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path))
    throw new Error(`no golden file ${path}: run UPDATE_GOLDEN=1 npx vitest run test/cli-golden.test.ts`);
  expect(actual, `output differs from ${path} (UPDATE_GOLDEN=1 rewrites it)`).toBe(
    readFileSync(path, 'utf8'),
  );
}
