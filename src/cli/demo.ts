// aqlake demo: the whole product from one command — simulator (or the real API with a key), pipeline for the last 7 days, web page.
import type { Command } from 'commander';
import type { AqlakeConfig } from '../config/index.js';
import { PipelineError, UsageError } from '../errors.js';
import { createLogger, environmentSecrets } from '../logging.js';
import { rangeParams } from '../orchestrator/cli-support.js';
import type { Dag } from '../orchestrator/dag.js';
import { runBackfill, secretsOf } from '../orchestrator/index.js';
import { OPENAQ_DAILY } from '../pipeline/openaq-daily.js';
import { type RunningSimulator, startSimulator } from '../simulator/index.js';
import { systemClock } from '../time/clock.js';
import { addDays, todayIn } from '../time/local-day.js';
import type { CliContext } from './commands.js';
import { configFor, parsePositiveInt } from './options.js';

/** Simulated locations that show the hard cases: New York (DST), Delhi (+05:30), Adelaide (southern DST), London, Mumbai (15-minute sensors). */
const DEMO_LOCATIONS = [1001, 1003, 1004, 1005, 1007];
const DEMO_DAYS = 7;

interface DemoFlags {
  port: string;
  days: string;
  serve: boolean;
}

export function registerDemo(command: Command, cli: CliContext): void {
  command
    .option('--port <n>', 'port of the web page', '8080')
    .option('--days <n>', 'how many past days to run', String(DEMO_DAYS))
    .option('--no-serve', 'stop after the pipeline instead of serving the page')
    .addHelpText(
      'after',
      '\nWithout OPENAQ_API_KEY the data comes from the built-in OpenAQ simulator (no internet needed) for five\n' +
        `locations (${DEMO_LOCATIONS.join(', ')}). With OPENAQ_API_KEY set it uses the real API and the configured scope.\n` +
        'The lake is AQLAKE_HOME (default ./lake). Days already published are not fetched again.',
    )
    .action(async (flags: DemoFlags, command: Command) => {
      const port = flags.port === '0' ? 0 : parsePositiveInt('--port', flags.port);
      if (port > 65_535) throw new UsageError(`--port: expected at most 65535, got ${port}`);
      const days = parsePositiveInt('--days', flags.days);
      const configured = configFor(command);
      const useRealApi = Boolean(configured.api.key);
      const simulator = useRealApi ? null : await startSimulator();
      const config = demoConfig(configured, simulator);
      const logger = createLogger({ secrets: [...environmentSecrets(), config.api.key] });
      try {
        const to = addDays(todayIn('UTC'), -1);
        const from = addDays(to, -(days - 1));
        process.stdout.write(
          `aqlake demo: ${useRealApi ? `OpenAQ API ${config.api.url}` : `built-in simulator ${simulator!.url}`}, ` +
            `lake ${config.home}, days ${from}..${to}\n`,
        );
        cli.dags.load(config);
        const dag = cli.dags.get(OPENAQ_DAILY);
        const summary = await runBackfill({
          dag,
          from,
          to,
          params: rangeParams(from, to, systemClock()),
          config,
          secrets: secretsOf(config),
          onProgress: ({ event, done, total }) => {
            if (event.kind === 'run-finished')
              process.stdout.write(`  ${event.runId}: ${event.state} [${done}/${total}]\n`);
          },
        });
        process.stdout.write(
          `pipeline: ${summary.succeeded} day(s) published, ${summary.skipped} already done, ${summary.failed} failed\n`,
        );
        // A refused key or an unreachable API: serving an empty page would hide it.
        if (summary.stoppedByError) throw new PipelineError(`demo stopped: ${summary.stoppedByError}`);
        if (!flags.serve) {
          if (summary.failed > 0)
            throw new UsageError(`${summary.failed} day(s) failed; see \`aqlake runs\``);
          return;
        }
        await serveUntilStopped(config, dag, port, logger);
      } finally {
        await simulator?.close();
      }
    });
}

function demoConfig(configured: AqlakeConfig, simulator: RunningSimulator | null): AqlakeConfig {
  if (!simulator) return configured;
  return {
    ...configured,
    api: { ...configured.api, url: simulator.url },
    archive: { ...configured.archive, url: simulator.archiveUrl },
    scope: { ...configured.scope, locations: DEMO_LOCATIONS },
  };
}

async function serveUntilStopped(
  config: AqlakeConfig,
  dag: Dag,
  port: number,
  logger: ReturnType<typeof createLogger>,
): Promise<void> {
  // The server (hono) loads only when the demo serves.
  const [{ createRealServices }, { startServer }] = await Promise.all([
    import('../server/real-services.js'),
    import('../server/server.js'),
  ]);
  const real = await createRealServices({ config, dag, logger });
  const server = await startServer({
    config,
    host: '127.0.0.1',
    port,
    services: real.services,
    logger,
  }).catch(async (err) => {
    await real.close();
    throw err;
  });
  process.stdout.write(
    `\nOpen ${server.url} — pipeline grid, air quality charts, catalog and checks. Ctrl-C stops.\n`,
  );
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.stdout.write(`aqlake demo: ${signal}, stopping\n`);
  await server.close();
  await real.close();
}
