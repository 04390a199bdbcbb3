// /api/runs, /api/trigger, /api/clear, /api/backfill: the orchestrator's run history and the actions on it.
import { Hono } from 'hono';
import { badRequest, jsonBody, notFound, parseInput } from '../http-errors.js';
import { backfillBody, clearBody, logQuery, runsQuery, triggerBody } from '../inputs.js';
import type { RunsService } from '../services.js';

export function runsRoutes(runs: RunsService): Hono {
  const app = new Hono();

  app.get('/dag', (c) => c.json({ tasks: runs.taskIds() }));

  app.get('/runs', async (c) => {
    const q = parseInput(runsQuery, c.req.query());
    const list = await runs.listRuns({
      dagId: q.dag,
      state: q.state,
      from: q.from,
      to: q.to,
      limit: q.limit,
    });
    return c.json({ tasks: runs.taskIds(), runs: list });
  });

  app.get('/runs/:runId', async (c) => {
    const run = await runs.getRun(c.req.param('runId'));
    if (!run) throw notFound(`no run ${c.req.param('runId')}`);
    return c.json(run);
  });

  app.get('/runs/:runId/tasks', async (c) => {
    const tasks = await runs.taskInstances(c.req.param('runId'));
    if (!tasks) throw notFound(`no run ${c.req.param('runId')}`);
    return c.json({ tasks });
  });

  app.get('/runs/:runId/tasks/:taskId/logs', async (c) => {
    const { runId, taskId } = c.req.param();
    const q = parseInput(logQuery, c.req.query());
    const instances = await runs.taskInstances(runId);
    if (!instances) throw notFound(`no run ${runId}`);
    const instance = instances.find((t) => t.taskId === taskId);
    if (!instance) throw notFound(`run ${runId} has no task ${taskId}`);
    const tryNumber = q.try ?? instance.tryNumber;
    if (tryNumber < 1) throw notFound(`task ${taskId} of run ${runId} has not started yet`);
    const log = await runs.taskLog(runId, taskId, tryNumber);
    if (log === undefined) throw notFound(`task ${taskId} of run ${runId} has no try ${tryNumber}`);
    return c.text(log, 200, { 'Cache-Control': 'no-store' });
  });

  app.post('/trigger', async (c) => {
    const body = parseInput(triggerBody, await jsonBody(c));
    const run = await runs.trigger(body);
    return c.json(run, 201);
  });

  app.post('/clear', async (c) => {
    const body = parseInput(clearBody, await jsonBody(c));
    if (body.downstream && !body.task) throw badRequest('downstream: needs a task');
    const run = await runs.getRun(body.runId);
    if (!run) throw notFound(`no run ${body.runId}`);
    if (body.task && !runs.taskIds().includes(body.task)) throw notFound(`no task ${body.task}`);
    const result = await runs.clear(body);
    if (!result) throw notFound(`nothing to clear in run ${body.runId}`);
    return c.json(result);
  });

  app.post('/backfill', async (c) => {
    const body = parseInput(backfillBody, await jsonBody(c));
    return c.json(await runs.startBackfill(body), 202);
  });

  app.get('/backfill', async (c) => {
    return c.json({ backfill: (await runs.backfillProgress()) ?? null });
  });

  app.get('/backfill/:id', async (c) => {
    const progress = await runs.backfillProgress(c.req.param('id'));
    if (!progress) throw notFound(`no backfill ${c.req.param('id')}`);
    return c.json(progress);
  });

  return app;
}
