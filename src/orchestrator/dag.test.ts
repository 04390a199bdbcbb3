import { describe, expect, it } from 'vitest';
import { type DagDef, defineDag } from './dag.js';
import { DagDefinitionError } from './errors.js';

const noop = async (): Promise<void> => {};

function def(overrides: Partial<DagDef> = {}): DagDef {
  return {
    id: 'd',
    schedule: { cron: '30 3 * * *', timezone: 'America/New_York' },
    startDate: '2024-01-01',
    catchup: false,
    maxActiveRuns: 1,
    tasks: [
      { id: 'a', run: noop },
      { id: 'b', upstream: ['a'], run: noop },
      { id: 'c', upstream: ['a'], run: noop },
      { id: 'd', upstream: ['b', 'c'], run: noop },
    ],
    ...overrides,
  };
}

describe('defineDag', () => {
  it('orders tasks so every upstream comes first and knows downstream edges', () => {
    const dag = defineDag(
      def({
        tasks: [
          { id: 'last', upstream: ['mid'], run: noop },
          { id: 'mid', upstream: ['first'], run: noop },
          { id: 'first', run: noop },
        ],
      }),
    );
    expect(dag.tasks.map((t) => t.id)).toEqual(['first', 'mid', 'last']);
    expect(dag.task('first')!.downstream).toEqual(['mid']);
    expect(dag.allDownstream('first')).toEqual(['mid', 'last']);
  });

  it('names the cycle', () => {
    const tasks = [
      { id: 'x', run: noop },
      { id: 'a', upstream: ['x', 'c'], run: noop },
      { id: 'b', upstream: ['a'], run: noop },
      { id: 'c', upstream: ['b'], run: noop },
    ];
    expect(() => defineDag(def({ tasks }))).toThrow(DagDefinitionError);
    expect(() => defineDag(def({ tasks }))).toThrow(/cycle: (a → b → c → a|b → c → a → b|c → a → b → c)/);
  });

  it('rejects a task depending on itself, an unknown upstream and duplicate ids', () => {
    expect(() => defineDag(def({ tasks: [{ id: 'a', upstream: ['a'], run: noop }] }))).toThrow(/itself/);
    expect(() => defineDag(def({ tasks: [{ id: 'a', upstream: ['nope'], run: noop }] }))).toThrow(
      /task "a" depends on unknown task "nope"/,
    );
    expect(() =>
      defineDag(
        def({
          tasks: [
            { id: 'a', run: noop },
            { id: 'a', run: noop },
          ],
        }),
      ),
    ).toThrow(/"a" is used twice/);
  });

  it('rejects a bad cron, an unknown zone, a bad start date and ids unfit for paths', () => {
    expect(() => defineDag(def({ schedule: { cron: '61 * * * *', timezone: 'UTC' } }))).toThrow(
      /schedule.cron "61 \* \* \* \*".*minute/,
    );
    expect(() => defineDag(def({ schedule: { cron: '* * *', timezone: 'UTC' } }))).toThrow(/schedule.cron/);
    expect(() => defineDag(def({ schedule: { cron: '0 0 * * *', timezone: 'Mars/Base' } }))).toThrow(
      /not an IANA time zone/,
    );
    expect(() => defineDag(def({ startDate: '2024-02-30' }))).toThrow(/startDate/);
    expect(() => defineDag(def({ id: '../etc' }))).toThrow(/letters, digits/);
    expect(() => defineDag(def({ maxActiveRuns: 0 }))).toThrow(/maxActiveRuns/);
  });

  it('applies DAG defaults under task settings', () => {
    const dag = defineDag(
      def({
        defaultRetries: 3,
        defaultRetryDelayMs: 10,
        defaultTimeoutMs: 500,
        tasks: [
          { id: 'a', run: noop },
          { id: 'b', retries: 0, timeoutMs: 50, run: noop },
        ],
      }),
    );
    expect(dag.task('a')).toMatchObject({ retries: 3, retryDelayMs: 10, retryBackoff: 2, timeoutMs: 500 });
    expect(dag.task('b')).toMatchObject({ retries: 0, timeoutMs: 50 });
  });

  it('uses the DAG’s data interval, and rejects one that ends before it starts', () => {
    const lookback = defineDag(
      def({ dataInterval: (d) => ({ from: d === '2024-03-10' ? '2024-03-07' : d, to: d }) }),
    );
    expect(lookback.dataIntervalFor('2024-03-10', 'scheduled')).toEqual({
      from: '2024-03-07',
      to: '2024-03-10',
    });
    expect(defineDag(def()).dataIntervalFor('2024-03-10', 'manual')).toEqual({
      from: '2024-03-10',
      to: '2024-03-10',
    });
    const broken = defineDag(def({ dataInterval: () => ({ from: '2024-03-11', to: '2024-03-10' }) }));
    expect(() => broken.dataIntervalFor('2024-03-10', 'backfill')).toThrow(/from ≤ to/);
  });
});
