// Task logs as the HTTP API hands them out: no absolute paths, process ids or host names (a page or a proxy may
// show them to someone who should not learn the machine's layout), stack traces cut to their message.
import { homedir, tmpdir } from 'node:os';

const MACHINE_KEYS = new Set(['pid', 'hostname']);
/** An absolute POSIX path (or file URL) after a space, quote, bracket or `=`: `/home/u/lake/dev/x.parquet`. */
const ABSOLUTE_PATH = /(^|[\s"'(=[,:])(?:file:\/\/)?(\/(?:[^\s"'()[\],:/]+\/)+)([^\s"'()[\],:/]*)/g;

/**
 * @example
 * redactTaskLog('{"pid":7,"hostname":"box","msg":"read /home/u/lake/dev/a.parquet"}', { home: '/home/u/lake' })
 * // '{"msg":"read $AQLAKE_HOME/dev/a.parquet"}'
 */
export function redactTaskLog(text: string, options: { home: string }): string {
  return text
    .split('\n')
    .map((line) => redactLine(line, options.home))
    .join('\n');
}

function redactLine(line: string, home: string): string {
  let rec: unknown;
  try {
    rec = JSON.parse(line);
  } catch {
    return redactPaths(line, home);
  }
  if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) return redactPaths(line, home);
  return JSON.stringify(clean(rec, home));
}

function clean(value: unknown, home: string): unknown {
  if (typeof value === 'string') return redactPaths(value, home);
  if (Array.isArray(value)) return value.map((v) => clean(v, home));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (MACHINE_KEYS.has(k)) continue;
    // A stack's frames are file paths of this installation; its first line is the message.
    out[k] =
      k === 'stack' && typeof v === 'string' ? redactPaths(v.split('\n')[0] ?? '', home) : clean(v, home);
  }
  return out;
}

/** The lake's own paths become `$AQLAKE_HOME/…`; any other absolute path keeps only its file name. */
function redactPaths(text: string, home: string): string {
  const roots = [home, tmpdir(), homedir()].filter((r) => r.length > 1);
  let out = text;
  if (home.length > 1) out = out.split(home.endsWith('/') ? home : `${home}/`).join('$AQLAKE_HOME/');
  out = out.replace(ABSOLUTE_PATH, (_m, before: string, _dir: string, file: string) => `${before}…/${file}`);
  for (const root of roots) out = out.split(root).join('…');
  return out;
}
