// The aqlake command: builds the commander program from one module per command, and turns errors into one line.
import { Command, CommanderError } from 'commander';
import { AqlakeError, errorMessage } from '../errors.js';
import { installPipelineDags } from '../pipeline/dags.js';
import { commandModules } from './commands.js';

export function buildProgram(): Command {
  installPipelineDags();
  const program = new Command('aqlake')
    .description('OpenAQ air-quality lakehouse: extract → raw → dev (Parquet) → checks → prod views')
    .option('-c, --config <file>', 'config file (default: ./aqlake.config.json if present)')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      '\nEnvironment: OPENAQ_API_KEY, OPENAQ_API_URL, AQLAKE_HOME (default ./lake), AQLAKE_ENGINE (local|aws), AQLAKE_LOG_LEVEL.',
    );
  for (const register of commandModules) register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram().exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = exitCodeFor(err);
  }
}

function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    // commander already printed the usage error or help text
    return err.exitCode;
  }
  if (err instanceof AqlakeError) {
    process.stderr.write(`aqlake: ${err.message}\n`);
    return err.exitCode;
  }
  process.stderr.write(`aqlake: ${errorMessage(err)}\n`);
  if (process.env.AQLAKE_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  return 1;
}
