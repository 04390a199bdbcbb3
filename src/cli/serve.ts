// aqlake serve: the web page and the HTTP API over this lake, until SIGINT or SIGTERM.
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { createLogger, environmentSecrets } from '../logging.js';
import { pickDag } from '../orchestrator/cli-support.js';
import type { CliContext } from './commands.js';
import { configFor, parsePositiveInt } from './options.js';

interface ServeFlags {
  host: string;
  port: string;
  token?: string;
  dag?: string;
}

export function registerServe(command: Command, cli: CliContext): void {
  command
    .option('--host <host>', 'address to bind; anything but loopback needs --token', '127.0.0.1')
    .option('--port <n>', 'port to listen on', '8080')
    .option(
      '--token <token>',
      'require `Authorization: Bearer <token>` on every API request (or set AQLAKE_TOKEN)',
    )
    .option('--dag <id>', 'the DAG the page shows (default: openaq_daily)')
    .addHelpText(
      'after',
      '\nWith a token, open the page once as http://HOST:PORT/?token=TOKEN; the page keeps it for the tab.\n' +
        'Runs triggered from the page run in this process; Ctrl-C interrupts them and records them.',
    )
    .action(async (flags: ServeFlags, command: Command) => {
      const config = configFor(command);
      const port = flags.port === '0' ? 0 : parsePositiveInt('--port', flags.port);
      if (port > 65_535) throw new UsageError(`--port: expected at most 65535, got ${port}`);
      const token = flags.token ?? process.env.AQLAKE_TOKEN ?? undefined;
      const logger = createLogger({ secrets: [...environmentSecrets(), config.api.key, token] });
      const dag = pickDag(cli.dags, config, flags.dag);
      // The server (hono, DuckDB) loads only in this command.
      const [{ createRealServices }, { startServer }] = await Promise.all([
        import('../server/real-services.js'),
        import('../server/server.js'),
      ]);
      const real = await createRealServices({ config, dag, logger });
      let server: Awaited<ReturnType<typeof startServer>>;
      try {
        server = await startServer({
          config,
          host: flags.host,
          port,
          token,
          services: real.services,
          logger,
        });
      } catch (err) {
        await real.close();
        throw err;
      }
      process.stdout.write(
        `aqlake: serving ${config.home} at ${server.url}${token ? ' (open it once with ?token=<your token>)' : ''}\n`,
      );
      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      process.stdout.write(`aqlake: ${signal}, stopping\n`);
      await server.close();
      await real.close();
    });
}
