// Every aqlake command, one module each, loaded only when it runs: `aqlake --help` lists the commands from this table
// without importing DuckDB, SQLite, the server or the pipeline. The table is the one home of each command's name and
// description: main.ts creates the command with them and the module adds its arguments, options and action
// (test/cli-lazy.test.ts keeps the help terms and the modules in step). A command that runs without the pipeline's
// DAGs says `dags: false`; every other one gets them in its registry.
import type { Command } from 'commander';
import type { DagRegistry } from '../orchestrator/registry.js';

/** What the CLI's composition root (main.ts) hands a command module besides its command. */
export interface CliContext {
  /** The DAGs of this program: the pipeline's, or what the program was built with (tests). */
  dags: DagRegistry;
}

/** Fills in a command main.ts created with the table's name and description. */
type RegisterCommand = (command: Command, cli: CliContext) => void;

export interface LazyCommand {
  /** the help line's term (name, [options], arguments), exactly as commander prints it for the module's command */
  term: string;
  description: string;
  dags?: false;
  load: () => Promise<RegisterCommand>;
}

export const commandModules: LazyCommand[] = [
  {
    term: 'init [options]',
    description:
      'write a commented starting aqlake.config.json, a .env.example and a .gitignore line for .env in the current folder',
    dags: false,
    load: async () => (await import('./init.js')).registerInit,
  },
  {
    term: 'demo [options]',
    description:
      'run the pipeline for the last 7 days and serve the web page — offline on the built-in simulator',
    load: async () => (await import('./demo.js')).registerDemo,
  },
  {
    term: 'locations',
    description: 'find OpenAQ locations to put in the scope',
    dags: false,
    load: async () => (await import('./locations.js')).registerLocations,
  },
  {
    term: 'extract [options]',
    description:
      'fetch locations and measurements from the OpenAQ API into raw/, byte for byte, with a manifest row each',
    dags: false,
    load: async () => (await import('./extract.js')).registerExtract,
  },
  {
    term: 'run [options]',
    description: 'extract, transform, catalog, validate and publish every local day from --from to --to',
    load: async () => (await import('./run.js')).registerRun,
  },
  {
    term: 'simulate [options]',
    description:
      'serve a deterministic OpenAQ v3 API on 127.0.0.1 for offline runs and tests (prints OPENAQ_API_URL)',
    dags: false,
    load: async () => (await import('./simulate.js')).registerSimulate,
  },
  {
    term: 'scheduler [options]',
    description: 'create DAG runs when their schedule makes them due and run them, until SIGTERM / Ctrl-C',
    load: async () => (await import('./scheduler.js')).registerScheduler,
  },
  {
    term: 'trigger [options]',
    description: 'run a DAG now for one local day; a day that already has a run is cleared and run again',
    load: async () => (await import('./trigger.js')).registerTrigger,
  },
  {
    term: 'backfill [options]',
    description:
      'run a DAG for every local day from --from to --to; a second call resumes where the first stopped',
    load: async () => (await import('./backfill.js')).registerBackfill,
  },
  {
    term: 'runs [options]',
    description: 'list DAG runs (newest logical date first) with their state and task counts',
    dags: false,
    load: async () => (await import('./runs.js')).registerRuns,
  },
  {
    term: 'tasks [options] <run>',
    description: 'show the task instances of a run: state, try number, timings, last error',
    dags: false,
    load: async () => (await import('./tasks.js')).registerTasks,
  },
  {
    term: 'logs [options] <run> <task>',
    description: 'print the log of a task try (default: the latest try)',
    dags: false,
    load: async () => (await import('./logs.js')).registerLogs,
  },
  {
    term: 'clear [options] <run>',
    description: 'reset task instances of a run so they run again (all of them, or --task T)',
    load: async () => (await import('./clear.js')).registerClear,
  },
  {
    term: 'serve [options]',
    description: 'serve the web page (pipeline, air quality, catalog) and the HTTP API',
    load: async () => (await import('./serve.js')).registerServe,
  },
  {
    term: 'catalog [options]',
    description:
      'list the dev tables (rows, bytes, files, time range, schema version) or one table’s partitions',
    dags: false,
    load: async () => (await import('./catalog.js')).registerCatalog,
  },
  {
    term: 'rollback [options]',
    description:
      'make an earlier version of a table’s partition current again (the tree and every view follow)',
    dags: false,
    load: async () => (await import('./rollback.js')).registerRollback,
  },
  {
    term: 'vacuum [options]',
    description:
      'delete replaced versions older than lake.retentionDays, discarded versions, and files a crash left behind',
    dags: false,
    load: async () => (await import('./vacuum.js')).registerVacuum,
  },
  {
    term: 'query [options] <sql>',
    description: 'run one read-only SQL statement against the dev.* tables and prod.* views',
    dags: false,
    load: async () => (await import('./query.js')).registerQuery,
  },
  {
    term: 'bi [options]',
    description: 'write a DuckDB file with dev.* and prod.* as views over the lake’s tree, for BI tools',
    dags: false,
    load: async () => (await import('./bi.js')).registerBi,
  },
  {
    term: 'export [options] <view>',
    description: 'write one view’s rows (e.g. prod.daily_averages) to a Parquet or CSV file',
    dags: false,
    load: async () => (await import('./export.js')).registerExport,
  },
  {
    term: 'check [options]',
    description: 'run the data checks on the published partitions of dev.measurements (one day or all)',
    dags: false,
    load: async () => (await import('./check.js')).registerCheck,
  },
  {
    term: 'prod',
    description: 'the prod tables materialised per local day (prod.hourly, prod.daily_averages, …)',
    dags: false,
    load: async () => (await import('./prod.js')).registerProd,
  },
  {
    term: 'aws',
    description: 'the AWS engine: Glue job, Glue Data Catalog, Athena workgroup, IAM policy',
    dags: false,
    load: async () => (await import('./aws.js')).registerAws,
  },
];

/** The command's name: the first word of its help term. */
export function commandName(entry: LazyCommand): string {
  return entry.term.split(' ')[0]!;
}
