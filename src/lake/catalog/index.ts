// The lake catalog: tables, schema versions, partition versions and files; the SQLite half of the commit protocol
// (the whole commit is src/lake/commit.ts: commitVersions); vacuum; Athena DDL.
export {
  type AthenaDdlOptions,
  athenaDdl,
  athenaType,
  createTableStatement,
  partitionProjection,
} from './athena-ddl.js';
export {
  CatalogError,
  type CatalogFile,
  type CatalogScan,
  type CatalogScanResult,
  discardVersion,
  expectedTreeKeys,
  type FileKind,
  getCurrentVersion,
  getPartitionVersion,
  getStagedVersion,
  type ListTableFilesOptions,
  latestSchema,
  listPartitions,
  listSchemaVersions,
  listTableFiles,
  listTables,
  listVersionHistory,
  markFilesDeleted,
  type PartitionSummary,
  type PartitionVersion,
  recordCatalogScan,
  type SchemaVersion,
  type StagePartitionInput,
  type StageStats,
  stagePartition,
  type TableFile,
  type TableSummary,
  type VersionState,
} from './catalog.js';
export {
  canWiden,
  compareSchemas,
  evolvedColumns,
  type SchemaChange,
  SchemaDriftError,
  type TableColumn,
} from './schema-evolution.js';
export {
  type VacuumOptions,
  type VacuumReason,
  type VacuumResult,
  vacuumLake,
} from './vacuum.js';
