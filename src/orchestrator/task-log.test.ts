import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatLogLine, TaskLogFiles, taskLogPath } from './task-log.js';

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'aqlake-tasklog-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

describe('task logs', () => {
  it('lines of tries running at once land in their own files, secrets scrubbed, none after close', () => {
    const files = new TaskLogFiles(home, ['hunter2-secret']);
    const a = files.open(taskLogPath('d', 'd__2024-01-01', 'extract', 1), {
      dag: 'd',
      run: 'd__2024-01-01',
      task: 'extract',
      try: 1,
    });
    const b = files.open(taskLogPath('d', 'd__2024-01-01', 'extract', 2), {
      dag: 'd',
      run: 'd__2024-01-01',
      task: 'extract',
      try: 2,
    });
    a.logger.info('from a');
    b.logger.info({ task: 'pretend', try: 9 }, 'from b with hunter2-secret');
    a.logger.warn('a again');
    a.close();
    a.logger.info('after close');
    b.close();

    const read = (n: number) =>
      readFileSync(join(home, taskLogPath('d', 'd__2024-01-01', 'extract', n)), 'utf8');
    expect(
      read(1)
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { msg: string }).msg),
    ).toEqual(['from a', 'a again']);
    expect(read(2)).toContain('from b with [redacted]');
    expect(read(2)).not.toContain('hunter2');
    expect(read(2).trim().split('\n')).toHaveLength(1);
  });

  it('formats a JSON line for reading, with the error stack indented', () => {
    const line = JSON.stringify({
      level: 50,
      time: Date.parse('2024-05-01T10:00:00Z'),
      pid: 1,
      hostname: 'h',
      dag: 'd',
      run: 'r',
      task: 't',
      try: 1,
      durationMs: 12,
      err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at x' },
      msg: 'try 1 failed',
    });
    expect(formatLogLine(line)).toBe(
      '2024-05-01T10:00:00.000Z ERROR try 1 failed durationMs=12\n    Error: boom\n        at x',
    );
    expect(formatLogLine('not json')).toBe('not json');
  });
});
