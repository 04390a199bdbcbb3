// The aqlake command: builds the commander program from one module per command, and turns errors into one line.
import { Command, CommanderError } from 'commander';
import { AqlakeError, errorMessage } from '../errors.js';
import { installPipelineDags } from '../pipeline/dags.js';
import { commandModules } from './commands.js';
import { loadEnvFile } from './env-file.js';

export function buildProgram(): Command {
  installPipelineDags();
  const program = new Command('aqlake')
    .description('OpenAQ air-quality lakehouse: extract → raw → dev (Parquet) → checks → prod views')
    .option('-c, --config <file>', 'config file (default: ./aqlake.config.json if present)')
    // Parse errors (unknown option, missing argument) read like every other failure: one `aqlake: …` line.
    .configureOutput({
      outputError: (text, write) => write(`aqlake: ${text.replace(/^error: /, '').trim()} (see --help)\n`),
    })
    .addHelpText(
      'after',
      '\nEnvironment: OPENAQ_API_KEY, OPENAQ_API_URL, AQLAKE_HOME (default ./lake), AQLAKE_ENGINE (local|aws), AQLAKE_LOG_LEVEL; also read from ./.env (the process environment wins).',
    );
  // Set before the commands are added: commander copies these settings into each subcommand.
  program.exitOverride();
  for (const register of commandModules) register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // `aqlake logs … | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  // Before anything reads the environment: the working folder's .env fills in what the process environment lacks.
  loadEnvFile();
  const program = buildProgram();
  try {
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
