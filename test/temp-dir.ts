// Scratch folders for tests, removed when the test file's process exits: `node --test`
// runs each file in a process of its own, so nothing a run makes is left in /tmp.
// CAPSULE_KEEP_TEST_DIRS=1 keeps them, to look at what a failing test left.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (made.push(dir) === 1 && process.env.CAPSULE_KEEP_TEST_DIRS !== '1') {
    process.on('exit', () => {
      for (const d of made) rmSync(d, { recursive: true, force: true, maxRetries: 2 });
    });
  }
  return dir;
}
