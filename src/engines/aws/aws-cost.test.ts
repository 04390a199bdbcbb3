// What a run costs at AWS list prices, with the billing minimums: Glue 1 minute of capacity per job run, Athena 10 MB
// per query, DDL and failed queries free.
import { describe, expect, it } from 'vitest';
import { addCost, athenaQueryCost, costUsd, formatCost, glueRunCost, zeroCost } from './aws-cost.js';

describe('AWS cost', () => {
  it('bills a short Glue run one minute of its DPUs, a long one what it used, at $0.44 per DPU-hour', () => {
    const short = addCost(zeroCost(), glueRunCost(20, 2)); // 20 DPU-s used, 2 DPUs → 120 DPU-s billed
    expect(short.glueBilledDpuSeconds).toBe(120);
    expect(costUsd(short)).toBeCloseTo((120 / 3600) * 0.44, 12);
    const long = addCost(zeroCost(), glueRunCost(7200, 2));
    expect(costUsd(long)).toBeCloseTo(0.88, 12);
  });

  it('bills each Athena query at least 10 MB at $5 per TB; DDL and failed queries nothing', () => {
    let c = zeroCost();
    c = addCost(c, athenaQueryCost(1000)); // a tiny check: billed 10 MB
    c = addCost(c, athenaQueryCost(0, false)); // CREATE VIEW
    c = addCost(c, athenaQueryCost(3 * 2 ** 30)); // 3 GiB
    expect(c.athenaQueries).toBe(3);
    expect(c.athenaBytesScanned).toBe(1000 + 3 * 2 ** 30);
    expect(c.athenaBilledBytes).toBe(10 * 2 ** 20 + 3 * 2 ** 30);
    expect(costUsd(c)).toBeCloseTo(((10 * 2 ** 20 + 3 * 2 ** 30) / 2 ** 40) * 5, 12);
  });

  it('formats dollars first', () => {
    const c = addCost(addCost(zeroCost(), glueRunCost(60, 2)), athenaQueryCost(5));
    expect(formatCost(c)).toMatch(/^\$0\.0147: 5 B scanned, 60 DPU-s \(1 Glue run, 1 Athena query\)$/);
  });
});
