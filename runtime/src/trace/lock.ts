// node-sqlite3-wasm locks a database with a `<file>.lock` directory and answers
// SQLITE_BUSY ("database is locked") at once when another connection holds it.
// Two processes (the CLI and the extension host) may share one trace, so every
// statement retries briefly; and a process killed mid-statement leaves the
// directory behind, which would lock the trace forever, so an old one is removed.
import { rmSync, statSync } from 'node:fs';

/** A lock older than this is stale: statements and transactions hold it for milliseconds. */
const STALE_LOCK_MS = 2_000;
const RETRY_FOR_MS = 3_000;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

export function clearStaleLock(dbPath: string, now = Date.now()): boolean {
  const lock = `${dbPath}.lock`;
  try {
    if (now - statSync(lock).mtimeMs < STALE_LOCK_MS) return false;
    rmSync(lock, { recursive: true, force: true });
    return true;
  } catch {
    return false;
  }
}

const isBusy = (e: unknown): boolean => e instanceof Error && /database is locked|SQLITE_BUSY/i.test(e.message);

/** Runs a synchronous database step, retrying while the file is locked elsewhere. */
export function withLockRetry<T>(dbPath: string, fn: () => T): T {
  const deadline = Date.now() + RETRY_FOR_MS;
  for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
    try {
      return fn();
    } catch (e) {
      if (!isBusy(e)) throw e;
      if (Date.now() > deadline) {
        if (clearStaleLock(dbPath)) continue;
        throw new Error(`the trace ${dbPath} stayed locked by another process for ${RETRY_FOR_MS} ms`, { cause: e });
      }
      Atomics.wait(sleeper, 0, 0, wait);
    }
  }
}
