import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/index.js';
import { UsageError } from '../errors.js';
import { defineDag } from './dag.js';
import {
  defaultDagId,
  getDag,
  getPlanner,
  listDags,
  loadDags,
  registerDag,
  setDagLoader,
  unregisterDag,
} from './registry.js';

const config = parseConfig({});
const dag = (id: string) =>
  defineDag({
    id,
    schedule: null,
    startDate: '2024-01-01',
    catchup: false,
    maxActiveRuns: 1,
    tasks: [{ id: 't', run: async () => {} }],
  });

afterEach(() => {
  for (const d of listDags()) unregisterDag(d.id);
});

describe('DAG registry', () => {
  it('falls back to the example DAG when nothing is registered', () => {
    expect(loadDags(config).map((d) => d.id)).toEqual(['example_noop']);
    expect(defaultDagId()).toBe('example_noop');
    expect(getDag('example_noop').tasks.map((t) => t.id)).toEqual(['start', 'a', 'b', 'end']);
  });

  it('uses the injected loader, with its planner, and prefers openaq_daily as the default', async () => {
    setDagLoader(() => [
      dag('other'),
      {
        dag: dag('openaq_daily'),
        planner: { estimate: (days) => ({ requests: days.length * 3, seconds: days.length }) },
      },
    ]);
    // (This file's tests run in their own process: replacing the loader does not leak.)
    expect(loadDags(config).map((d) => d.id)).toEqual(['other', 'openaq_daily']);
    expect(defaultDagId()).toBe('openaq_daily');
    expect(await getPlanner('openaq_daily')!.estimate(['2024-01-01', '2024-01-02'], {})).toEqual({
      requests: 6,
      seconds: 2,
    });
  });

  it('names the known DAGs when an id is unknown, and refuses a second registration', () => {
    registerDag(dag('one'));
    expect(() => getDag('two')).toThrow(UsageError);
    expect(() => getDag('two')).toThrow('unknown DAG "two" (known: one)');
    expect(() => registerDag(dag('one'))).toThrow(/already registered/);
  });
});
