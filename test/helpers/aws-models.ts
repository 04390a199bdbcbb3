// Every request an AWS SDK v3 client sends in the tests is checked against AWS's own service model: botocore's JSON
// models, read from the machine's Python at test time (nothing of botocore is copied into this repository). Member
// names, required members, types, enums, string lengths and patterns, list/map sizes and numeric ranges: a shape the
// model rejects throws, so the test that sent it fails. Without python3 + botocore the tests FAIL, saying how to fix it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export type AwsService = 'glue' | 'athena' | 's3' | 'iam' | 'sts';

interface Shape {
  type: string;
  members?: Record<string, { shape: string; streaming?: boolean }>;
  required?: string[];
  member?: { shape: string };
  key?: { shape: string };
  value?: { shape: string };
  enum?: string[];
  min?: number;
  max?: number;
  pattern?: string;
  union?: boolean;
  document?: boolean;
  jsonvalue?: boolean;
}

interface ServiceModel {
  metadata: { apiVersion: string; serviceId: string };
  operations: Record<string, { input?: { shape: string } }>;
  shapes: Record<string, Shape>;
}

let botocoreDir: string | undefined;

/** Where the machine's botocore lives; throws (failing the test) with the fix when python3 or botocore is missing. */
function botocoreDataDir(): string {
  if (botocoreDir) return botocoreDir;
  const python = process.env.AQLAKE_TEST_PYTHON ?? 'python3';
  const out = spawnSync(
    python,
    ['-c', 'import botocore, os; print(os.path.dirname(botocore.__file__)); print(botocore.__version__)'],
    { encoding: 'utf8' },
  );
  if (out.error || out.status !== 0)
    throw new Error(
      `the AWS request checks need AWS's service models from botocore, read through ${python}: ` +
        `${out.error ? out.error.message : out.stderr.trim().split('\n').at(-1)}. ` +
        'Install them with `apt-get install python3-botocore` and set AQLAKE_TEST_PYTHON=/usr/bin/python3 (.ci/run does), or `pip install botocore`.',
    );
  const [dir] = out.stdout.trim().split('\n');
  botocoreDir = join(dir!, 'data');
  return botocoreDir;
}

/** The botocore version the checks run against (reported by the model test). */
export function botocoreVersion(): string {
  const python = process.env.AQLAKE_TEST_PYTHON ?? 'python3';
  return spawnSync(python, ['-c', 'import botocore; print(botocore.__version__)'], {
    encoding: 'utf8',
  }).stdout.trim();
}

const models = new Map<AwsService, ServiceModel>();

function serviceModel(service: AwsService): ServiceModel {
  const cached = models.get(service);
  if (cached) return cached;
  const root = join(botocoreDataDir(), service);
  if (!existsSync(root)) throw new Error(`botocore has no model for ${service} under ${root}`);
  const version = readdirSync(root).sort().at(-1)!;
  const base = join(root, version, 'service-2.json');
  const text = existsSync(base)
    ? readFileSync(base, 'utf8')
    : gunzipSync(readFileSync(`${base}.gz`)).toString('utf8');
  const model = JSON.parse(text) as ServiceModel;
  models.set(service, model);
  return model;
}

const patterns = new Map<string, RegExp | null>();

/** A model pattern as a JS regex, anchored (AWS's Java services match the whole value); null if JS cannot read it. */
function regex(pattern: string): RegExp | null {
  if (patterns.has(pattern)) return patterns.get(pattern)!;
  let re: RegExp | null = null;
  try {
    re = new RegExp(`^(?:${pattern})$`, 'u');
  } catch {
    try {
      re = new RegExp(`^(?:${pattern})$`);
    } catch {
      re = null;
    }
  }
  patterns.set(pattern, re);
  return re;
}

const isStream = (v: unknown) =>
  typeof v === 'object' && v !== null && typeof (v as { pipe?: unknown }).pipe === 'function';

/** Every way `value` breaks shape `name` of the model, as `path: problem` lines (empty when it conforms). */
function shapeErrors(
  model: ServiceModel,
  name: string,
  value: unknown,
  path: string,
  /** Check a JSON body as sent on the wire: timestamps as epoch seconds, blobs as base64 text. */
  wire = false,
): string[] {
  const shape = model.shapes[name];
  if (!shape) return [`${path}: the model has no shape ${name}`];
  if (value === undefined) return [];
  if (value === null) return [`${path}: null is not a ${shape.type}`];
  const errors: string[] = [];
  const range = (n: number, what: string) => {
    if (shape.min !== undefined && n < shape.min)
      errors.push(`${path}: ${what} ${n} is under the minimum ${shape.min}`);
    if (shape.max !== undefined && n > shape.max)
      errors.push(`${path}: ${what} ${n} is over the maximum ${shape.max}`);
  };
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || Array.isArray(value))
        return [`${path}: expected a structure (${name}), got ${JSON.stringify(value)}`];
      if (shape.document) return [];
      const members = shape.members ?? {};
      const obj = value as Record<string, unknown>;
      for (const key of Object.keys(obj)) {
        if (obj[key] === undefined) continue;
        const m = members[key];
        if (!m) {
          errors.push(
            `${path}.${key}: not a member of ${name} (members: ${Object.keys(members).join(', ')})`,
          );
          continue;
        }
        errors.push(...shapeErrors(model, m.shape, obj[key], `${path}.${key}`, wire));
      }
      for (const r of shape.required ?? [])
        if (obj[r] === undefined || obj[r] === null)
          errors.push(`${path}.${r}: required by ${name}, missing`);
      if (shape.union) {
        const set = Object.keys(obj).filter((k) => obj[k] !== undefined);
        if (set.length !== 1)
          errors.push(`${path}: union ${name} needs exactly one member, got ${set.length}`);
      }
      return errors;
    }
    case 'list': {
      if (!Array.isArray(value)) return [`${path}: expected a list (${name})`];
      range(value.length, 'length');
      value.forEach((v, i) => {
        errors.push(...shapeErrors(model, shape.member!.shape, v, `${path}[${i}]`, wire));
      });
      return errors;
    }
    case 'map': {
      if (typeof value !== 'object' || Array.isArray(value)) return [`${path}: expected a map (${name})`];
      const entries = Object.entries(value as Record<string, unknown>);
      range(entries.length, 'size');
      for (const [k, v] of entries) {
        errors.push(...shapeErrors(model, shape.key!.shape, k, `${path}{key ${JSON.stringify(k)}}`, wire));
        errors.push(...shapeErrors(model, shape.value!.shape, v, `${path}.${k}`, wire));
      }
      return errors;
    }
    case 'string': {
      if (shape.jsonvalue) return [];
      if (typeof value !== 'string') return [`${path}: expected a string (${name}), got ${typeof value}`];
      if (shape.enum && !shape.enum.includes(value))
        errors.push(
          `${path}: ${JSON.stringify(value)} is not one of ${name}'s values ${shape.enum.join(', ')}`,
        );
      range([...value].length, 'length');
      if (shape.pattern) {
        const re = regex(shape.pattern);
        if (re && !re.test(value))
          errors.push(`${path}: ${JSON.stringify(value)} does not match ${name}'s pattern ${shape.pattern}`);
      }
      return errors;
    }
    case 'integer':
    case 'long': {
      if (typeof value !== 'number' || !Number.isInteger(value))
        return [`${path}: expected a whole number (${name}), got ${JSON.stringify(value)}`];
      if (shape.type === 'integer' && (value > 2 ** 31 - 1 || value < -(2 ** 31)))
        errors.push(`${path}: ${value} does not fit a 32-bit integer`);
      range(value, 'value');
      return errors;
    }
    case 'double':
    case 'float': {
      if (typeof value !== 'number') return [`${path}: expected a number (${name})`];
      range(value, 'value');
      return errors;
    }
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${path}: expected a boolean (${name})`];
    case 'timestamp':
      if (wire) return typeof value === 'number' ? [] : [`${path}: expected epoch seconds (${name})`];
      return value instanceof Date && !Number.isNaN(value.getTime())
        ? []
        : [`${path}: expected a Date (${name}), got ${JSON.stringify(value)}`];
    case 'blob': {
      if (typeof value === 'string' || value instanceof Uint8Array || isStream(value)) {
        if (typeof value !== 'string' && !isStream(value)) range((value as Uint8Array).length, 'length');
        return errors;
      }
      if (typeof (value as Blob).arrayBuffer === 'function') return [];
      return [`${path}: expected bytes (${name})`];
    }
    default:
      return [`${path}: the checker does not know shape type ${shape.type}`];
  }
}

/** Every way `input` breaks the request shape of `operation` (a command name without `Command`). */
export function requestErrors(
  service: AwsService,
  operation: string,
  input: unknown,
  wire = false,
): string[] {
  const model = serviceModel(service);
  const op = model.operations[operation];
  if (!op) return [`${service} has no operation ${operation}`];
  if (!op.input) return input && Object.keys(input).length ? [`${operation} takes no input`] : [];
  return shapeErrors(model, op.input.shape, input ?? {}, operation, wire);
}

export class InvalidRequestShape extends Error {
  constructor(
    readonly service: AwsService,
    readonly operation: string,
    readonly problems: string[],
  ) {
    super(`${service} ${operation} breaks AWS's model:\n  ${problems.join('\n  ')}`);
    this.name = 'InvalidRequestShape';
  }
}

/** Throws InvalidRequestShape when the request breaks the model. */
export function assertValidRequest(service: AwsService, operation: string, input: unknown): void {
  const problems = requestErrors(service, operation, input);
  if (problems.length) throw new InvalidRequestShape(service, operation, problems);
}

/** The operation a v3 command class stands for: `CreateTableCommand` → `CreateTable`. */
export function operationOf(commandName: string): string {
  return commandName.replace(/Command$/, '');
}

type InitializeMiddleware = (
  next: (args: { input: unknown }) => Promise<unknown>,
  context: { commandName?: string },
) => (args: { input: unknown }) => Promise<unknown>;

interface MiddlewareStack {
  add(
    mw: InitializeMiddleware,
    options: { step: 'initialize'; name: string; priority?: 'high' | 'normal' | 'low' },
  ): void;
}

/** Requests every validated client has sent, in order: service, operation, input. */
export interface SentRequest {
  service: AwsService;
  operation: string;
  input: Record<string, unknown>;
}

/**
 * Installs the model check as the client's first initialize middleware: every `send` is checked before it is
 * serialized, and recorded in `log` when given. A request the model rejects never leaves the client.
 */
export function validateRequests<C extends { middlewareStack: object }>(
  client: C,
  service: AwsService,
  log?: SentRequest[],
): C {
  serviceModel(service); // fail at setup, not on the first call, when botocore is missing
  (client.middlewareStack as MiddlewareStack).add(
    (next, context) => async (args) => {
      const operation = operationOf(context.commandName ?? '');
      log?.push({ service, operation, input: args.input as Record<string, unknown> });
      assertValidRequest(service, operation, args.input);
      return next(args);
    },
    { step: 'initialize', name: 'aqlakeBotocoreModelCheck', priority: 'high' },
  );
  return client;
}
