import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/index.js';
import { UsageError } from '../errors.js';
import { defineDag } from './dag.js';
import { DagRegistry } from './registry.js';

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

describe('DAG registry', () => {
  it('falls back to the example DAG when nothing is registered', () => {
    const dags = new DagRegistry();
    expect(dags.load(config).map((d) => d.id)).toEqual(['example_noop']);
    expect(dags.defaultId()).toBe('example_noop');
    expect(dags.get('example_noop').tasks.map((t) => t.id)).toEqual(['start', 'a', 'b', 'end']);
  });

  it('uses the injected loader, with its planner, and prefers openaq_daily as the default', async () => {
    const dags = new DagRegistry(() => [
      dag('other'),
      {
        dag: dag('openaq_daily'),
        planner: { estimate: (days) => ({ requests: days.length * 3, seconds: days.length }) },
      },
    ]);
    expect(dags.load(config).map((d) => d.id)).toEqual(['other', 'openaq_daily']);
    expect(dags.defaultId()).toBe('openaq_daily');
    expect(dags.find('other')?.id).toBe('other');
    expect(await dags.planner('openaq_daily')!.estimate(['2024-01-01', '2024-01-02'], {})).toEqual({
      requests: 6,
      seconds: 2,
    });
  });

  it('names the known DAGs when an id is unknown, and refuses a second registration', () => {
    const dags = new DagRegistry();
    dags.register(dag('one'));
    expect(() => dags.get('two')).toThrow(UsageError);
    expect(() => dags.get('two')).toThrow('unknown DAG "two" (known: one)');
    expect(() => dags.register(dag('one'))).toThrow(/already registered/);
    expect(dags.find('two')).toBeUndefined();
  });
});

describe('DAG registries', () => {
  it("are independent: one program's registrations are not another's", () => {
    const a = new DagRegistry();
    const b = new DagRegistry(() => []);
    a.register(dag('one'));
    expect(a.list().map((d) => d.id)).toEqual(['one']);
    expect(b.load(config)).toEqual([]);
    expect(() => b.defaultId()).toThrow('no DAG is registered');
  });
});
