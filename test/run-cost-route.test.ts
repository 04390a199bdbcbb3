// /api/runs over the real run store: a run's AWS cost (what its tasks' Glue runs and Athena queries were priced at,
// recorded by the pipeline) reaches the page; a run that paid for nothing says null, not $0.
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/index.js';
import { openMetaDb } from '../src/lake/meta/meta-db.js';
import { defineDag, RunStore } from '../src/orchestrator/index.js';
import { recordTaskCost } from '../src/orchestrator/task-cost.js';
import { createApp } from '../src/server/app.js';
import { orchestratorRuns } from '../src/server/real/orchestrator-runs.js';
import type { RunSummary } from '../src/server/services.js';
import { fakeServices } from './helpers/fake-services.js';
import { tempDir } from './helpers/temp-dir.js';

const home = tempDir('aqlake-run-cost-');
const store = new RunStore(openMetaDb(home));
afterAll(() => store.db.close());

describe('run cost on the HTTP API', () => {
  it('sums every priced call of a run’s tasks and says null for a run without any', async () => {
    const dag = defineDag({
      id: 'cost_dag',
      schedule: null,
      startDate: '2024-01-01',
      catchup: false,
      maxActiveRuns: 1,
      tasks: [{ id: 'transform', run: async () => {} }],
    });
    const paid = store.createRun(dag, { logicalDate: '2024-03-05', runType: 'manual' }).run;
    const free = store.createRun(dag, { logicalDate: '2024-03-06', runType: 'manual' }).run;
    const at = { runId: paid.runId, taskId: 'transform', tryNumber: 1 };
    recordTaskCost(
      store.db,
      at,
      {
        glueDpuSeconds: 600,
        glueBilledDpuSeconds: 600,
        glueJobRuns: 1,
        usd: 0.0733,
      },
      new Date('2024-03-06T01:00:00Z'),
    );
    recordTaskCost(
      store.db,
      at,
      {
        athenaBytesScanned: 1,
        athenaBilledBytes: 10 * 2 ** 20,
        athenaQueries: 1,
        usd: 0.00005,
      },
      new Date('2024-03-06T01:05:00Z'),
    );

    const runs = orchestratorRuns({ config: parseConfig({ home }), store, dag });
    const app = createApp({ ...fakeServices(), runs }, { page: false });
    const list = (await (await app.request('/api/runs')).json()) as { runs: RunSummary[] };
    const byDate = Object.fromEntries(list.runs.map((r) => [r.logicalDate, r.costUsd]));
    expect(byDate['2024-03-05']).toBeCloseTo(0.07335, 10);
    expect(byDate['2024-03-06']).toBeNull();
    const one = (await (await app.request(`/api/runs/${free.runId}`)).json()) as
      | RunSummary
      | { run: RunSummary };
    expect('run' in one ? one.run.costUsd : one.costUsd).toBeNull();
    await runs.close();
  });
});
