// The aqlake command: builds the commander program from one module per command, and turns errors into one line.
// Only the module of the command being run is imported (with the pipeline's DAGs when it needs them); the others
// are help-only stubs, so `aqlake --help` starts without DuckDB, SQLite, the server or the pipeline.
import { Command, CommanderError, Help } from 'commander';
import { AqlakeError, errorMessage } from '../errors.js';
import type { DagRegistry } from '../orchestrator/registry.js';
import { type CliContext, commandModules, commandName, type LazyCommand } from './commands.js';
import { loadEnvFile } from './env-file.js';

/**
 * The program for `argv` (process.argv): the command `argv` names registered by its module, every other one as a stub
 * that only lists itself in the help. With `all`, every module is registered (what the stubs stand in for). `dags` is
 * the program's DAG registry; by default one with the pipeline's DAGs, built here, the CLI's composition root.
 */
export async function buildProgram(
  argv: string[],
  options: { all?: boolean; dags?: DagRegistry } = {},
): Promise<Command> {
  const all = options.all ?? false;
  const wanted = all ? null : commandNamed(argv);
  const stubTerms = new Map<Command, string>();
  const program = new Command('aqlake')
    .description('OpenAQ air-quality lakehouse: extract → raw → dev (Parquet) → checks → prod views')
    .option('-c, --config <file>', 'config file (default: ./aqlake.config.json if present)')
    // Parse errors (unknown option, missing argument) read like every other failure: one `aqlake: …` line.
    .configureOutput({
      outputError: (text, write) => write(`aqlake: ${text.replace(/^error: /, '').trim()} (see --help)\n`),
    })
    .configureHelp({
      subcommandTerm: (cmd) => stubTerms.get(cmd) ?? new Help().subcommandTerm(cmd),
    })
    .addHelpText(
      'after',
      '\nEnvironment: OPENAQ_API_KEY, OPENAQ_API_URL, AQLAKE_HOME (default ./lake), AQLAKE_ENGINE (local|aws), AQLAKE_LOG_LEVEL; also read from ./.env (the process environment wins).',
    );
  // Set before the commands are added: commander copies these settings into each subcommand.
  program.exitOverride();
  const loaded = commandModules.filter((entry) => all || entry === wanted);
  const cli: CliContext | null =
    loaded.length > 0 ? { dags: options.dags ?? (await programDags(loaded)) } : null;
  for (const entry of commandModules) {
    const command = program.command(commandName(entry)).description(entry.description);
    if (cli && loaded.includes(entry)) (await entry.load())(command, cli);
    else stubTerms.set(command, entry.term);
  }
  return program;
}

/** The registry of the commands being loaded: with the pipeline's DAGs unless none of them runs a DAG. */
async function programDags(loaded: readonly LazyCommand[]): Promise<DagRegistry> {
  const { DagRegistry } = await import('../orchestrator/registry.js');
  if (loaded.every((entry) => entry.dags === false)) return new DagRegistry();
  return new DagRegistry((await import('../pipeline/dags.js')).pipelineDags);
}

/** The command argv runs (or asks help for: `help CMD`), if it names one; global options come before it. */
function commandNamed(argv: string[]): LazyCommand | undefined {
  const words: string[] = [];
  for (let i = 2; i < argv.length && words.length < 2; i++) {
    const arg = argv[i]!;
    if (arg === '-c' || arg === '--config') i++;
    else if (arg === '--') break;
    else if (!arg.startsWith('-')) words.push(arg);
    if (words[0] !== undefined && words[0] !== 'help') break;
  }
  const name = words[0] === 'help' ? words[1] : words[0];
  return commandModules.find((entry) => commandName(entry) === name);
}

/** Runs the CLI on `argv`; `dags` replaces the pipeline's DAGs (the orchestrator's process tests register their own). */
export async function main(argv: string[], options: { dags?: DagRegistry } = {}): Promise<void> {
  // `aqlake logs … | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  // Before anything reads the environment: the working folder's .env fills in what the process environment lacks.
  loadEnvFile();
  try {
    const program = await buildProgram(argv, options);
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = exitCodeFor(err);
  }
}

function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    // commander already printed the help text or the one-line usage error
    return err.exitCode === 0 ? 0 : 2;
  }
  if (err instanceof AqlakeError) {
    process.stderr.write(`aqlake: ${err.message}\n`);
    return err.exitCode;
  }
  process.stderr.write(`aqlake: ${errorMessage(err)}\n`);
  if (process.env.AQLAKE_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  return 1;
}
