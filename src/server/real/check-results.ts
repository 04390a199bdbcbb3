// ChecksService over the check results the validate step records in SQLite.
import type { MetaDb } from '../../lake/meta/meta-db.js';
import type { ChecksService } from '../services.js';

export function checkResults(_meta: MetaDb): ChecksService {
  return {
    async results() {
      throw new Error(
        'check results are not wired yet: the validate step has not landed its check_results table',
      );
    },
  };
}
