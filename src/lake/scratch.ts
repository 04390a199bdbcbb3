// Local scratch folders under the lake home ({home}/_tmp/…), outside every zone: what a killed process may leave
// there is not part of the lake, and vacuum removes it.
import { join } from 'node:path';

/** Scratch space of running transforms: each takes its own folder below it. */
export function transformWorkRoot(home: string): string {
  return join(home, '_tmp', 'transform');
}

/** Scratch space of the prod days being computed (publish, rollback, prod rebuild). */
export function prodWorkRoot(home: string): string {
  return join(home, '_tmp', 'prod');
}
