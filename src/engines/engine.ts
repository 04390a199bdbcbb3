// The Engine seam: what the pipeline asks of a compute engine (DuckDB locally, Glue + Athena on AWS).

export interface Engine {
  readonly name: 'duckdb' | 'aws';
  close(): Promise<void>;
}
