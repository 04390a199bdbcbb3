// On a terminal warnings are human lines; JSON lines go to stderr only when asked or when stderr is not a terminal.
import { describe, expect, it } from 'vitest';
import { createLogger, humanLogLine, logFormat } from './logging.js';

function capture(isTTY: boolean, env: NodeJS.ProcessEnv = {}) {
  const lines: string[] = [];
  const logger = createLogger({
    level: 'info',
    env,
    secrets: ['sk-secret-123456'],
    stderr: { isTTY, write: (t: string) => lines.push(t) },
  });
  return { logger, lines };
}

describe('logs on stderr', () => {
  it('are one human line per event on a terminal, secrets scrubbed', () => {
    const { logger, lines } = capture(true);
    logger.warn(
      { path: '/v3/locations/1', retry: 2, key: 'sk-secret-123456' },
      'OpenAQ request failed; retrying',
    );
    expect(lines).toEqual([
      'aqlake: warning: OpenAQ request failed; retrying (path=/v3/locations/1, retry=2, key=[redacted])\n',
    ]);
    expect(lines.join('')).not.toMatch(/"level"|"time"|"pid"/);
  });

  it('are JSON lines when stderr is not a terminal, or with AQLAKE_LOG_FORMAT=json', () => {
    for (const { lines, logger } of [capture(false), capture(true, { AQLAKE_LOG_FORMAT: 'json' })]) {
      logger.warn({ retry: 1 }, 'retrying');
      expect(JSON.parse(lines[0]!)).toMatchObject({ level: 40, msg: 'retrying', retry: 1 });
    }
  });

  it('chooses the format from the terminal and the environment', () => {
    expect(logFormat(true, {})).toBe('human');
    expect(logFormat(false, {})).toBe('json');
    expect(logFormat(true, { AQLAKE_LOG_FORMAT: 'json' })).toBe('json');
    expect(humanLogLine('{"level":50,"msg":"task failed","err":{"message":"boom","stack":"at /x"}}')).toBe(
      'aqlake: error: task failed: boom\n',
    );
  });
});
