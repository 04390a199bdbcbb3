// Extraction watermarks: which period-end windows of a sensor are already in raw/ completely, and since when.
import type { MetaDb } from './meta/meta-db.js';

export interface CoveredWindow {
  sensorId: number;
  fromUtc: string;
  toUtc: string;
  fetchedAt: string;
  rows: number;
  requests: number;
  runId: string | null;
}

export function recordCoverage(db: MetaDb, w: CoveredWindow): void {
  db.prepare(
    `INSERT OR IGNORE INTO extract_coverage (sensor_id, window_from_utc, window_to_utc, fetched_at, rows, requests, run_id)
     VALUES (@sensorId, @fromUtc, @toUtc, @fetchedAt, @rows, @requests, @runId)`,
  ).run(w);
}

/** Whether one complete fetch since `fetchedSince` covers (fromUtc, toUtc] for the sensor. ISO strings compare in order. */
export function isCovered(
  db: MetaDb,
  sensorId: number,
  fromUtc: string,
  toUtc: string,
  fetchedSince: string,
): boolean {
  const row = db
    .prepare(
      `SELECT 1 FROM extract_coverage
       WHERE sensor_id = ? AND window_from_utc <= ? AND window_to_utc >= ? AND fetched_at >= ? LIMIT 1`,
    )
    .get(sensorId, fromUtc, toUtc, fetchedSince);
  return row !== undefined;
}
