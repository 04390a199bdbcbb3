// QueryService and ProdService over a locked-down, in-memory DuckDB session of the lake (the guard `aqlake query` uses),
// rebuilt when the catalog's current files change so the page sees a new partition as soon as it is committed.
import type { AqlakeConfig } from '../../config/index.js';
import type { CellValue, Engine, ReadOnlyQuerySession } from '../../engines/engine.js';
import { listProdViews, sqlStatement } from '../../engines/sql-files.js';
import { EngineError } from '../../errors.js';
import { listTableFiles, listTables } from '../../lake/catalog/catalog.js';
import { readableDevRoots, resolveDevTables } from '../../lake/dev-files.js';
import type { MetaDb } from '../../lake/meta/meta-db.js';
import type { ObjectStore } from '../../lake/store/index.js';
import { resolveProdTables } from '../../pipeline/prod-days.js';
import { prodRowsQuery } from '../prod-query.js';
import {
  type LocationOption,
  type ProdService,
  QueryRejectedError,
  type QueryService,
  QueryTooLargeError,
} from '../services.js';

export interface LakeQueriesOptions {
  config: AqlakeConfig;
  meta: MetaDb;
  store: ObjectStore;
  /** Opens the locked-down read session (Engine.openReadOnlySession: the guard `aqlake query` uses). */
  engine: Pick<Engine, 'openReadOnlySession'>;
  /** A user's query is interrupted after this long (default 30 s). */
  queryTimeoutMs?: number;
}

interface Held {
  session: ReadOnlyQuerySession;
  signature: string;
  users: number;
  retired: boolean;
}

export interface LakeQueries {
  query: QueryService;
  prod: ProdService;
  close(): void;
}

export function lakeQueries(options: LakeQueriesOptions): LakeQueries {
  const { config, meta, store, engine } = options;
  const timeoutMs = options.queryTimeoutMs ?? 30_000;
  const prodViews = listProdViews().map((v) => v.view.replace(/^prod\./, ''));
  let current: Held | undefined;
  let building: Promise<Held> | undefined;
  let closed = false;

  /** The tables and their current file keys: when this changes, a partition was committed or a table appeared. */
  const catalogSignature = (): string =>
    JSON.stringify([
      listTables(meta).map((t) => [t.table, listTableFiles(meta, t.table).map((f) => f.key)]),
      // a prod day stored after its dev commit (issue 13)
      meta.prepare('SELECT count(*) AS n, max(built_at) AS at FROM prod_days').get(),
    ]);

  const build = async (signature: string): Promise<Held> => {
    // The same tables and readable folders as `aqlake query`, so the page's SQL meets the same guard.
    const tables = await resolveDevTables({ store, meta });
    const prodTables = await resolveProdTables({ store, meta });
    const session = await engine.openReadOnlySession({
      tables,
      prodTables,
      allowedDirectories: readableDevRoots(tables, config.home, prodTables),
    });
    return { session, signature, users: 0, retired: false };
  };

  const release = (held: Held): void => {
    held.users--;
    if (held.retired && held.users === 0) held.session.close();
  };

  /** The session over the catalog's current files, rebuilt when they changed. */
  const currentSession = async (): Promise<Held> => {
    if (closed) throw new Error('the lake session is closed');
    const signature = catalogSignature();
    if (current?.signature !== signature) {
      building ??= build(signature).finally(() => {
        building = undefined;
      });
      const next = await building;
      if (current !== next) {
        const old = current;
        current = next;
        if (old) {
          old.retired = true;
          if (old.users === 0) old.session.close();
        }
      }
    }
    return current!;
  };

  const withSession = async <T>(fn: (session: ReadOnlyQuerySession) => Promise<T>): Promise<T> => {
    const held = await currentSession();
    held.users++;
    try {
      return await fn(held.session);
    } finally {
      release(held);
    }
  };

  const toObjects = (columns: string[], rows: CellValue[][]): Record<string, unknown>[] =>
    rows.map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i]])));

  const query: QueryService = {
    async query(sql, options = {}) {
      // The session is held until the rows are read or the reader stops (the generator's finally).
      let held: Held | undefined = await currentSession();
      held.users++;
      try {
        const stream = await held.session.stream(sql, {
          timeoutMs,
          ...(options.params ? { params: options.params } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.maxRowBytes !== undefined ? { maxRowBytes: options.maxRowBytes } : {}),
        });
        const names = stream.columns.map((c) => c.name);
        const session = held;
        held = undefined;
        const batches = async function* () {
          try {
            for await (const batch of stream.batches) yield toObjects(names, batch);
          } catch (err) {
            throw userError(err);
          } finally {
            release(session);
          }
        };
        return { columns: names, batches: batches() };
      } catch (err) {
        throw userError(err);
      } finally {
        if (held) release(held);
      }
    },
  };

  const prod: ProdService = {
    views: () => prodViews,
    async rows(view, filter) {
      return withSession(async (session) => {
        if (!session.views.includes(`prod.${view}`)) return { columns: [], rows: [] };
        const { sql, params } = prodRowsQuery(view, filter);
        const result = await session.query(sql, { params, timeoutMs });
        const names = result.columns.map((c) => c.name);
        return { columns: names, rows: toObjects(names, result.rows) };
      });
    },
    async locations() {
      return withSession(async (session) => {
        if (!session.views.includes('dev.measurements')) return [];
        const named = session.views.includes('dev.locations');
        const rows = await session.query(
          sqlStatement('server/queries.sql', named ? 'locations' : 'locations_without_names'),
          { timeoutMs },
        );
        return groupLocations(
          toObjects(
            rows.columns.map((c) => c.name),
            rows.rows,
          ),
        );
      });
    },
  };

  return {
    query,
    prod,
    close() {
      closed = true;
      if (current && current.users === 0) current.session.close();
      else if (current) current.retired = true;
      current = undefined;
    },
  };
}

/** Whatever DuckDB says about a user's statement (syntax, unknown table, read-only, timeout) is the caller's to fix. */
function userError(err: unknown): unknown {
  if (err instanceof EngineError)
    return err.kind === 'Result Too Large'
      ? new QueryTooLargeError(err.message)
      : new QueryRejectedError(err.message);
  return err;
}

/** Rows of the `locations` statement (one per sensor) → one option per location with its parameters. */
export function groupLocations(rows: readonly Record<string, unknown>[]): LocationOption[] {
  const byId = new Map<number, LocationOption>();
  for (const r of rows) {
    const id = Number(r.location_id);
    let loc = byId.get(id);
    if (!loc) {
      loc = {
        id,
        name: String(r.name),
        timezone: (r.timezone as string | null) ?? null,
        country: (r.country as string | null) ?? null,
        parameters: [],
        firstDate: null,
        lastDate: null,
      };
      byId.set(id, loc);
    }
    loc.parameters.push({
      parameter: String(r.parameter),
      units: String(r.units),
      parameterId: r.parameter_id === null ? null : Number(r.parameter_id),
      sensorId: r.sensor_id === null ? null : Number(r.sensor_id),
    });
    const first = r.first_date as string | null;
    const last = r.last_date as string | null;
    if (first && (!loc.firstDate || first < loc.firstDate)) loc.firstDate = first;
    if (last && (!loc.lastDate || last > loc.lastDate)) loc.lastDate = last;
  }
  return [...byId.values()];
}
