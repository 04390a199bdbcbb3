// Keys of unpartitioned dev tables (dimensions), beside keys.ts's partitioned layout: dev/{table}/part-{id}.parquet.

export function devTableFile(table: string, fileId: string): string {
  if (!/^[a-z][a-z0-9_]*$/.test(table)) throw new Error(`bad table name for a dev key: ${table}`);
  return `dev/${table}/part-${fileId}.parquet`;
}
