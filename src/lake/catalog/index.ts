// The lake catalog: tables, schema versions, partition versions and files; the SQLite half of the commit protocol
// (the whole commit is src/lake/commit.ts: commitVersions); vacuum; Athena DDL.
export { athenaDdl } from './athena-ddl.js';
export {
  type CatalogFile,
  expectedTreeKeys,
  findDayTaskVersion,
  getCurrentVersion,
  getPartitionVersion,
  latestSchema,
  listPartitions,
  listSchemaVersions,
  listTableFiles,
  listTables,
  listVersionHistory,
  type PartitionVersion,
  recordCatalogScan,
  stagePartition,
  type TableSummary,
} from './catalog.js';
export {
  type SchemaChange,
  SchemaDriftError,
} from './schema-evolution.js';
export { vacuumLake } from './vacuum.js';
