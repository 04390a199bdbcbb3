// Turns an OpenAQ error response into one readable line: FastAPI `detail` (string or pydantic list), WAF `message`, or text.

const MAX_DETAIL_CHARS = 300;

/**
 * The human part of an error body. Handles `{"detail": "..."}`, `{"detail": [{loc, msg}, ...]}`,
 * `{"message": "..."}` (AWS WAF), a body that is itself a JSON string (FastAPI's `str(exc)` handler),
 * and plain text or HTML.
 */
export function describeErrorBody(body: string | Uint8Array): string {
  const text = typeof body === 'string' ? body : new TextDecoder().decode(body);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return oneLine(text.replace(/<[^>]*>/g, ' ')) || 'no error detail in the response body';
  }
  return oneLine(describeJson(parsed)) || 'no error detail in the response body';
}

/** The one-line message of an OpenAQError for a non-2xx answer. `target` is the URL path (and query). */
export function errorResponseMessage(status: number, target: string, body: string | Uint8Array): string {
  const hint = STATUS_HINTS[status];
  return `OpenAQ ${status} for ${target}: ${describeErrorBody(body)}${hint ? ` ${hint}` : ''}`;
}

const STATUS_HINTS: Record<number, string> = {
  401: '(check OPENAQ_API_KEY)',
  403: '(check OPENAQ_API_KEY; a 403 may also be the API firewall refusing this address)',
};

function describeJson(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(describeIssue).join('; ');
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    if ('detail' in record) return describeJson(record.detail);
    if (typeof record.message === 'string') return record.message;
  }
  return JSON.stringify(value);
}

/** A pydantic error `{loc: ["query", "limit"], msg}` becomes "query.limit: msg". */
function describeIssue(issue: unknown): string {
  if (typeof issue !== 'object' || issue === null) return describeJson(issue);
  const { loc, msg } = issue as { loc?: unknown; msg?: unknown };
  const where = Array.isArray(loc) ? loc.map(String).join('.') : '';
  const what = typeof msg === 'string' ? msg : JSON.stringify(issue);
  return where ? `${where}: ${what}` : what;
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_DETAIL_CHARS ? `${line.slice(0, MAX_DETAIL_CHARS - 1)}…` : line;
}
