// CatalogService over the lake catalog in SQLite (tables, current partitions, schema versions).

import { listPartitions, listSchemaVersions, listTables } from '../../lake/catalog/catalog.js';
import { hivePartition } from '../../lake/keys.js';
import type { MetaDb } from '../../lake/meta/meta-db.js';
import type { CatalogService, TableInfo } from '../services.js';

export function lakeCatalog(meta: MetaDb): CatalogService {
  const known = (table: string): boolean => listTables(meta).some((t) => t.table === table);
  return {
    async tables() {
      return listTables(meta).map((t): TableInfo => {
        const committed = listPartitions(meta, t.table)
          .map((p) => p.committedAt)
          .filter((c): c is string => c !== null)
          .sort();
        return {
          name: t.table,
          partitioned: t.partitioned,
          schemaVersion: t.schemaVersion,
          partitionCount: t.partitions,
          rowCount: t.rows,
          bytes: t.bytes,
          fileCount: t.files,
          minTime: t.minPeriodEndUtc,
          maxTime: t.maxPeriodEndUtc,
          updatedAt: committed.at(-1) ?? null,
        };
      });
    },
    async partitions(table) {
      if (!known(table)) return undefined;
      return listPartitions(meta, table).map((p) => ({
        table,
        partition: p.localDate ? hivePartition(p.localDate) : '(unpartitioned)',
        localDate: p.localDate,
        rowCount: p.rows,
        bytes: p.bytes,
        fileCount: p.files,
        minTime: p.minPeriodEndUtc,
        maxTime: p.maxPeriodEndUtc,
        schemaVersion: p.schemaVersion,
        quarantinedRows: p.quarantinedRows,
        committedAt: p.committedAt,
      }));
    },
    async schemaVersions(table) {
      if (!known(table)) return undefined;
      return listSchemaVersions(meta, table).map((v) => ({
        table,
        version: v.version,
        columns: v.columns.map((c) => ({ name: c.name, type: c.type })),
        createdAt: v.createdAt,
      }));
    },
  };
}
