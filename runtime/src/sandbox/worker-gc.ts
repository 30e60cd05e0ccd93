// When a sandbox worker collects its garbage: the dead instances' memory is freed
// only by a full collection of this thread.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A finished instance's linear memory (tens of MB) is freed only when this
 * thread collects it, and an idle worker allocates too little JS to ever
 * trigger that. A full collection costs ~8 ms, as much as making an instance,
 * so a busy worker collects once its dead instances add up to GARBAGE_BYTES
 * (in a fan-out of 12 MB tasks, every other task), and an idle one as soon as
 * it has waited IDLE_MS for a task.
 */
const GARBAGE_BYTES = 16 * 1024 * 1024;
const IDLE_MS = 100;

export const garbage = {
  bytes: 0,
  add(n: number): void {
    this.bytes += n;
  },
  due(): boolean {
    if (this.bytes < GARBAGE_BYTES) return false;
    this.bytes = 0;
    return true;
  },
  /** Collects if `next` keeps this worker waiting. */
  async whileIdle<T>(next: Promise<T>): Promise<T> {
    if (this.bytes === 0) return next;
    const timer = setTimeout(() => {
      this.bytes = 0;
      collect();
    }, IDLE_MS);
    try {
      return await next;
    } finally {
      clearTimeout(timer);
    }
  },
};

export const collect = ((): (() => void) => {
  const own = (globalThis as { gc?: unknown }).gc;
  if (typeof own === 'function') return own as () => void; // the process runs with --expose-gc
  try {
    // Set only while the context is made: a V8 flag left set keys Node's
    // built-in code cache differently (see wasm-compile-flags.ts).
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    if (typeof gc === 'function') return gc as () => void;
  } catch {
    // no gc: memory is still freed, later
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
  return () => {};
})();
