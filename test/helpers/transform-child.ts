// A child process for test/commit-kill.test.ts: transforms, catalogs and commits (src/lake/commit.ts) one local day of the lake at
// argv[2], and stops at AQLAKE_TEST_PAUSE_AT (printing `PAUSED <point>`) so the parent can SIGKILL it exactly there.
import { writeSync } from 'node:fs';
import { commitVersions } from '../../src/lake/commit.js';
import { createObjectStore } from '../../src/lake/store/create-store.js';
import { catalogDay } from '../../src/pipeline/catalog-task.js';
import { type TransformStep, transformDay } from '../../src/pipeline/transform.js';
import { openTestLake } from './transform-lake.js';

export type PausePoint =
  | TransformStep
  | 'before-commit'
  | 'intent-recorded'
  | 'key-replaced'
  | 'keys-replaced'
  | 'in-finish'
  | 'after-commit';

const [home, day] = process.argv.slice(2);
if (!home || !day) throw new Error('usage: transform-child.ts <home> <local date>');
const pauseAt = process.env.AQLAKE_TEST_PAUSE_AT as PausePoint | undefined;

function announce(point: string): void {
  // Synchronous, so the line is out before the process blocks.
  writeSync(1, `PAUSED ${point}\n`);
}

/** Waits forever (the parent kills us), keeping the event loop alive. */
async function pause(point: PausePoint): Promise<void> {
  if (point !== pauseAt) return;
  announce(point);
  await new Promise(() => setInterval(() => {}, 60_000));
}

/** Blocks the thread itself: used inside the SQLite commit transaction, which is synchronous. */
function pauseSync(point: PausePoint): void {
  if (point !== pauseAt) return;
  announce(point);
  const cell = new Int32Array(new SharedArrayBuffer(4));
  for (;;) Atomics.wait(cell, 0, 0, 60_000);
}

const testLake = openTestLake(home);
// AQLAKE_STORE=s3 (with the bucket settings in the environment): the same steps against the S3 store.
const lake =
  process.env.AQLAKE_STORE === 's3'
    ? { ...testLake, store: await createObjectStore(testLake.config) }
    : testLake;
const staged = await transformDay(lake, day, { onStep: (step) => pause(step) });
await catalogDay(lake, day, { versionId: staged.versionId });
await pause('before-commit');
await commitVersions(lake, [{ table: 'measurements', localDate: day, versionId: staged.versionId }], {
  onStep: (step) => (step === 'finished' ? undefined : pause(step)),
  beforeFinish: () => pauseSync('in-finish'),
});
await pause('after-commit');
await lake.close();
writeSync(1, `DONE ${staged.versionId}\n`);
