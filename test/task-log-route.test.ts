// GET /api/runs/:run/tasks/:task/logs over the real run store: a failed try's log (pino JSON with an error stack)
// reaches the page without absolute paths, pid or hostname.
import { hostname } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/index.js';
import { openMetaDb } from '../src/lake/meta/meta-db.js';
import { defineDag, executeRuns, RunStore } from '../src/orchestrator/index.js';
import { createApp } from '../src/server/app.js';
import { orchestratorRuns } from '../src/server/real/orchestrator-runs.js';
import { fakeServices } from './helpers/fake-services.js';
import { tempDir } from './helpers/temp-dir.js';

const home = tempDir('aqlake-log-route-');
const store = new RunStore(openMetaDb(home));
afterAll(() => store.db.close());

describe('task log route', () => {
  it('serves a failed try’s log without absolute paths, pid or hostname', async () => {
    const dag = defineDag({
      id: 'log_dag',
      schedule: null,
      startDate: '2024-01-01',
      catchup: false,
      maxActiveRuns: 1,
      tasks: [
        {
          id: 'boom',
          run: async (ctx) => {
            ctx.logger.info(
              { file: `${home}/dev/measurements/year=2024/month=03/day=05/data.parquet` },
              'reading',
            );
            throw new Error(`cannot open ${home}/dev/x.parquet`);
          },
        },
      ],
    });
    const { run } = store.createRun(dag, { logicalDate: '2024-03-05', runType: 'manual' });
    await executeRuns({ store, home, dags: () => dag, runIds: [run.runId], parallelism: 1 });
    const runs = orchestratorRuns({ config: parseConfig({ home }), store, dag });
    const app = createApp({ ...fakeServices(), runs }, { page: false });
    const res = await app.request(`/api/runs/${run.runId}/tasks/boom/logs?try=1`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('reading');
    expect(text).toContain('$AQLAKE_HOME/dev/measurements/year=2024/month=03/day=05/data.parquet');
    expect(text).toContain('cannot open $AQLAKE_HOME/dev/x.parquet');
    expect(text).not.toContain(home);
    expect(text).not.toContain(process.cwd());
    expect(text).not.toMatch(/"pid"|"hostname"/);
    expect(text).not.toContain(`"${hostname()}"`);
    expect(text).not.toMatch(/ at .*\.ts:\d+/);
    await runs.close();
  });
});
