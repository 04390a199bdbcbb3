// Every test file gets a temp directory of its own (TMPDIR, inherited by the CLI processes it starts), removed with
// everything in it when the file ends: whatever a test or the code under test puts in os.tmpdir() does not outlive it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { removeTempDirs } from '../helpers/temp-dir.js';

const sandbox = mkdtempSync(join(tmpdir(), 'aqlake-test-'));
process.env.TMPDIR = sandbox;

// Registered first, so it runs after the test file's own afterAll hooks (they run in reverse order).
afterAll(() => {
  removeTempDirs();
  rmSync(sandbox, { recursive: true, force: true });
});
