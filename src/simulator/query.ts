// Query-string reading with OpenAQ's (FastAPI + pydantic) validation: type errors give a 422 whose body is a JSON
// string, constraint errors a 422 {"detail": [{type, loc, msg, input, ctx, url}]}.
import { DateTime } from 'luxon';

/** An HTTP answer other than 200, with the exact JSON body to send. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(typeof body === 'string' ? body : JSON.stringify(body));
    this.name = 'ApiError';
  }
}

export interface PydanticError {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
  ctx?: Record<string, unknown>;
}

const PYDANTIC_DOCS = 'https://errors.pydantic.dev/2.10/v/';

/** 422 from a model constraint (QueryBaseModel wraps pydantic errors in HTTPException(422, detail=errors)). */
function constraintError(errors: PydanticError[]): ApiError {
  return new ApiError(422, {
    detail: errors.map((e) => ({ ...e, url: `${PYDANTIC_DOCS}${e.type}` })),
  });
}

/** 422 from a RequestValidationError: FastAPI's handler in main.py sends str(exc) as a JSON string. */
export function requestValidationError(message: string): ApiError {
  return new ApiError(422, message);
}

function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (Array.isArray(value)) return `(${value.map(pyRepr).join(', ')}${value.length === 1 ? ',' : ''})`;
  const entries = Object.entries(value as Record<string, unknown>).map(
    ([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`,
  );
  return `{${entries.join(', ')}}`;
}

/** A parsed datetime_* / date_* value: an instant when it carried an offset, else wall time to read in the location's zone. */
export type TimeParam =
  | { kind: 'instant'; ms: number; text: string; pythonText: string }
  | {
      kind: 'local';
      wall: {
        year: number;
        month: number;
        day: number;
        hour: number;
        minute: number;
        second: number;
        millisecond: number;
      };
      dateOnly: boolean;
      text: string;
      pythonText: string;
    };

const DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Parses what pydantic accepts for `datetime | date`; null when it would not. */
export function parseTimeParam(text: string): TimeParam | null {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    // pydantic reads a bare number as Unix seconds, or milliseconds above 2e10
    const n = Number(trimmed);
    const ms = n > 2e10 ? n : n * 1000;
    const d = new Date(ms);
    return {
      kind: 'instant',
      ms,
      text,
      pythonText: d
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, '+00:00'),
    };
  }
  const m = DATETIME.exec(trimmed);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const millisecond = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  const check = DateTime.fromObject({ year, month, day, hour, minute, second }, { zone: 'UTC' });
  if (!check.isValid || hour > 23) return null;
  const wallText = `${pad(year, 4)}-${pad(month)}-${pad(day)} ${pad(hour)}:${pad(minute)}:${pad(second)}`;
  const zone = m[8];
  if (zone === undefined) {
    const wall = { year, month, day, hour, minute, second, millisecond };
    return { kind: 'local', wall, dateOnly: m[4] === undefined, text, pythonText: wallText };
  }
  let offsetMinutes = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const digits = zone.slice(1).replace(':', '');
    offsetMinutes =
      (zone[0] === '-' ? -1 : 1) * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0'));
    if (Math.abs(offsetMinutes) >= 24 * 60) return null;
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, millisecond) - offsetMinutes * 60_000;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return {
    kind: 'instant',
    ms,
    text,
    pythonText: `${wallText}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`,
  };
}

/** The instant of a time parameter; wall times are read in the location's zone (PostgreSQL `ts AT TIME ZONE tz`). */
export function resolveTime(param: TimeParam, zone: string): number {
  if (param.kind === 'instant') return param.ms;
  return DateTime.fromObject(param.wall, { zone }).toMillis();
}

/** The date a /days date_* parameter means (`:date_from::date`; an instant's date is taken in UTC, the API's session zone). */
export function dateOfParam(param: TimeParam): string {
  if (param.kind === 'local')
    return `${pad(param.wall.year, 4)}-${pad(param.wall.month)}-${pad(param.wall.day)}`;
  return new Date(param.ms).toISOString().slice(0, 10);
}

interface TypeErrorItem {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
}

/** Reads query parameters, collecting type errors and constraint errors the way FastAPI and pydantic report them. */
export class QueryReader {
  private readonly typeErrors: TypeErrorItem[] = [];
  private readonly constraintErrors: PydanticError[] = [];

  constructor(private readonly params: URLSearchParams) {}

  /** The raw value (FastAPI keeps the last of repeated keys), trimmed; empty counts as absent. */
  raw(name: string): string | undefined {
    const all = this.params.getAll(name);
    const value = all[all.length - 1]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  has(name: string): boolean {
    return this.raw(name) !== undefined;
  }

  int(name: string, bounds: { gt?: number; le?: number; ge?: number } = {}): number | undefined {
    const text = this.raw(name);
    if (text === undefined) return undefined;
    return this.parseInt('query', name, text, bounds);
  }

  /** FastAPI's int parsing of a query parameter or path segment: an int_parsing error, then the bounds. */
  private parseInt(
    where: 'query' | 'path',
    name: string,
    text: string,
    bounds: { gt?: number; le?: number; ge?: number },
  ): number | undefined {
    if (!/^[+-]?\d+$/.test(text)) {
      this.typeErrors.push({
        type: 'int_parsing',
        loc: [where, name],
        msg: 'Input should be a valid integer, unable to parse string as an integer',
        input: text,
      });
      return undefined;
    }
    const value = Number(text);
    this.checkBounds(name, value, bounds);
    return value;
  }

  private checkBounds(name: string, value: number, bounds: { gt?: number; le?: number; ge?: number }): void {
    if (bounds.gt !== undefined && !(value > bounds.gt))
      this.constraint('greater_than', [name], `Input should be greater than ${bounds.gt}`, value, {
        gt: bounds.gt,
      });
    if (bounds.ge !== undefined && !(value >= bounds.ge))
      this.constraint(
        'greater_than_equal',
        [name],
        `Input should be greater than or equal to ${bounds.ge}`,
        value,
        {
          ge: bounds.ge,
        },
      );
    if (bounds.le !== undefined && !(value <= bounds.le))
      this.constraint(
        'less_than_equal',
        [name],
        `Input should be less than or equal to ${bounds.le}`,
        value,
        {
          le: bounds.le,
        },
      );
  }

  /** A path segment declared `int = Path(ge=1)`. */
  pathInt(name: string, text: string): number | undefined {
    return this.parseInt('path', name, text, { ge: 1 });
  }

  /** A CommaSeparatedList[int]. */
  intList(name: string): number[] | undefined {
    const text = this.raw(name);
    if (text === undefined) return undefined;
    const parts = text.split(',').map((s) => s.trim());
    const out: number[] = [];
    parts.forEach((part, i) => {
      if (/^[+-]?\d+$/.test(part)) out.push(Number(part));
      else
        this.constraint(
          'int_parsing',
          [name, i],
          'Input should be a valid integer, unable to parse string as an integer',
          part,
        );
    });
    return out;
  }

  bool(name: string): boolean | undefined {
    const text = this.raw(name);
    if (text === undefined) return undefined;
    const lower = text.toLowerCase();
    if (['true', '1', 'yes', 'on', 't', 'y'].includes(lower)) return true;
    if (['false', '0', 'no', 'off', 'f', 'n'].includes(lower)) return false;
    this.typeErrors.push({
      type: 'bool_parsing',
      loc: ['query', name],
      msg: 'Input should be a valid boolean, unable to interpret input',
      input: text,
    });
    return undefined;
  }

  enumValue<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const text = this.raw(name);
    if (text === undefined) return fallback;
    if ((allowed as readonly string[]).includes(text)) return text as T;
    const expected = allowed.map((a) => `'${a}'`).join(' or ');
    this.constraint('enum', [name], `Input should be ${expected}`, text, { expected });
    return fallback;
  }

  time(name: string): TimeParam | undefined {
    const text = this.raw(name);
    if (text === undefined) return undefined;
    const parsed = parseTimeParam(text);
    if (!parsed) {
      this.typeErrors.push(
        {
          type: 'datetime_from_date_parsing',
          loc: ['query', name, 'datetime'],
          msg: 'Input should be a valid datetime or date, invalid character in year',
          input: text,
        },
        {
          type: 'date_from_datetime_parsing',
          loc: ['query', name, 'date'],
          msg: 'Input should be a valid date or datetime, invalid character in year',
          input: text,
        },
      );
    }
    return parsed ?? undefined;
  }

  /** A model-level validator's ValueError ("Value error, …", loc ["query"]). */
  valueError(message: string, input: unknown): void {
    this.constraint('value_error', [], `Value error, ${message}`, input, { error: {} });
  }

  constraint(
    type: string,
    loc: (string | number)[],
    msg: string,
    input: unknown,
    ctx?: Record<string, unknown>,
  ): void {
    this.constraintErrors.push({ type, loc: ['query', ...loc], msg, input, ...(ctx ? { ctx } : {}) });
  }

  /** All given parameters as pydantic sees the model input (for value_error `input`). */
  inputs(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of this.params) out[k] = v;
    return out;
  }

  /** Throws the first kind of error FastAPI would report: type errors before the model runs, then constraints. */
  finish(): void {
    if (this.typeErrors.length > 0) requestValidationErrorFor(this.typeErrors);
    if (this.constraintErrors.length > 0) throw constraintError(this.constraintErrors);
  }
}

function requestValidationErrorFor(errors: TypeErrorItem[]): never {
  throw requestValidationError(`[${errors.map(pyRepr).join(', ')}]`);
}
