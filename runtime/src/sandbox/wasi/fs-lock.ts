// One lock word shared by every sandbox worker of the process: path checks
// are followed by opens by path, so each check+open, and each call that
// changes the namespace (rename, unlink, mkdir, rmdir), runs under it. A
// task cannot swap a directory for a symlink between another task's check
// and its open. (Changes made outside this process are not covered.)
import { threadId } from 'node:worker_threads';

let word: Int32Array | null = null;

/** The word: 0 when free, else the holder's threadId. */
export function createFsLock(): SharedArrayBuffer {
  return new SharedArrayBuffer(4);
}

export function useFsLock(buffer: SharedArrayBuffer): void {
  word = new Int32Array(buffer);
}

/** A worker killed while holding the lock must not block the others. */
export function releaseFsLockHeldBy(buffer: SharedArrayBuffer, deadThreadId: number): void {
  const w = new Int32Array(buffer);
  if (Atomics.compareExchange(w, 0, deadThreadId, 0) === deadThreadId) Atomics.notify(w, 0);
}

export function withFsLock<T>(fn: () => T): T {
  if (!word) return fn();
  const me = threadId || -1;
  if (Atomics.load(word, 0) === me) return fn(); // re-entrant
  for (;;) {
    const holder = Atomics.compareExchange(word, 0, 0, me);
    if (holder === 0) break;
    Atomics.wait(word, 0, holder, 50);
  }
  try {
    return fn();
  } finally {
    Atomics.store(word, 0, 0);
    Atomics.notify(word, 0);
  }
}
