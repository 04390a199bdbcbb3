// The part of the TaskContext the extract tasks use: no engine, so `aqlake extract` never starts DuckDB.
import type { OpenAQClient } from '../openaq/index.js';
import type { TaskContext } from './context.js';

export type ExtractContext = Pick<
  TaskContext,
  'config' | 'store' | 'meta' | 'logger' | 'now' | 'signal' | 'runId' | 'interval' | 'locations'
> & {
  openaq: OpenAQClient;
  /**
   * A backfill's whole range: the first run to need a sensor fetches all of it in wide windows, and the runs of the
   * other days find it in raw/ (fetched since `since`) instead of asking again — so a backfill is not one request
   * per sensor per day.
   */
  prefetch?: { from: string; to: string; since: string };
  /**
   * Window fetches under way, by sensor and window: the runs of one DAG share one, so parallel runs of a backfill do
   * not fetch the same window twice. Without it, one extract shares only its own.
   */
  windowsInFlight?: Map<string, Promise<unknown>>;
};
