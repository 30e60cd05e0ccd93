// A trace.db that is not a database any more (truncated, overwritten, random
// bytes) is moved aside as trace.db.corrupt-<time>, said once, and a new one is
// started: a bad file must not cost every later run its history, nor make
// `capsule history` die with SQLite's error.
import { existsSync, renameSync } from 'node:fs';
import { TraceStore } from './trace-store';

const CORRUPT = /file is not a database|database disk image is malformed|malformed database schema|SQLITE_CORRUPT|SQLITE_NOTADB|database corrupt/i;

export function isCorruptTraceError(e: unknown): boolean {
  return CORRUPT.test(String((e as Error)?.message ?? e));
}

/** Where the bad file went: `<path>.corrupt-<ISO time, file-name safe>`. */
export function moveAside(path: string, now = new Date()): string {
  const aside = `${path}.corrupt-${now.toISOString().replace(/[:.]/g, '-')}`;
  renameSync(path, aside);
  // A journal left beside the bad file belongs to it: SQLite would replay it into the new trace.
  for (const suffix of ['-journal', '-wal', '-shm']) {
    if (existsSync(path + suffix)) renameSync(path + suffix, aside + suffix);
  }
  return aside;
}

/**
 * Opens the trace and runs `check` on it (reads that would meet a bad page);
 * on corruption, moves the file aside, tells `warn`, and opens a fresh one.
 */
export function openTraceRecovering(path: string, warn: (message: string) => void, check: (t: TraceStore) => void = () => {}): TraceStore {
  let store: TraceStore | null = null;
  try {
    store = TraceStore.open(path);
    store.verify();
    check(store);
    return store;
  } catch (e) {
    store?.close();
    if (!isCorruptTraceError(e) || !existsSync(path)) throw e;
    const aside = moveAside(path);
    warn(`the trace ${path} was corrupt (${(e as Error).message}); it was moved to ${aside} and a new trace was started`);
    const fresh = TraceStore.open(path);
    check(fresh);
    return fresh;
  }
}
