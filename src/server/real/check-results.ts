// ChecksService over the check results the validate step records in SQLite (the newest result per check and partition).

import { listCheckResults } from '../../lake/check-results.js';
import { hivePartition } from '../../lake/keys.js';
import type { MetaDb } from '../../lake/meta/meta-db.js';
import type { ChecksService } from '../services.js';

export function checkResults(meta: MetaDb): ChecksService {
  return {
    async results(filter) {
      return listCheckResults(meta, { latest: true, ...(filter.date ? { localDate: filter.date } : {}) }).map(
        (r) => ({
          check: r.check,
          table: r.table,
          partition: hivePartition(r.localDate),
          localDate: r.localDate,
          severity: r.severity,
          status: r.status,
          message: r.message,
          observed: r.observed,
          runId: r.runId,
          checkedAt: r.checkedAt,
        }),
      );
    },
  };
}
