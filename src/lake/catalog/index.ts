// The lake catalog: tables, schema versions, partition versions and files; the commit protocol; vacuum; Athena DDL.
export { type AthenaDdlOptions, athenaDdl, athenaType, createTableStatement } from './athena-ddl.js';
export {
  CatalogError,
  type CatalogFile,
  type CatalogScan,
  type CatalogScanResult,
  type CommitOptions,
  type CommitResult,
  commitPartition,
  discardVersion,
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
export { devTableFile } from './table-keys.js';
export {
  type CleanupResult,
  commitAndCleanup,
  type VacuumOptions,
  type VacuumReason,
  type VacuumResult,
  vacuumLake,
} from './vacuum.js';
