// The engine's trace, opened off a task's critical path. Opening it (SQLite
// in wasm, the schema, recovery of dead processes' rows, pruning) costs tens of
// milliseconds of this thread; a cold `capsule run` would pay them before its
// task could start. Writes made before the trace is open queue, and it opens on
// the turn after the first one, once the task has been handed to the sandbox.
// A read, a flush or close opens it at once. Writes keep their order.
import type { TraceStore } from './trace-store';

export type TraceWrite = (t: TraceStore) => void;

export class DeferredTrace {
  private store: TraceStore | null = null;
  private state: 'closed' | 'opening-soon' | 'open' | 'unusable' | 'disposed' = 'closed';
  private readonly queue: TraceWrite[] = [];

  /**
   * `open` returns null when the trace cannot be used (it reports why itself);
   * the engine then runs without one. `onError` gets each failed write.
   */
  constructor(
    private readonly open: () => TraceStore | null,
    private readonly onError: (e: unknown) => void,
  ) {}

  /** Queues `fn` until the trace is open, or runs it now if it is. */
  write(fn: TraceWrite): void {
    if (this.state === 'open') {
      this.apply(fn);
      return;
    }
    if (this.state === 'unusable' || this.state === 'disposed') return;
    this.queue.push(fn);
    if (this.state === 'closed') {
      this.state = 'opening-soon';
      setImmediate(() => this.get());
    }
  }

  /** The open trace with every queued write applied, or null if it cannot be used. */
  get(): TraceStore | null {
    if (this.state === 'closed' || this.state === 'opening-soon') {
      this.store = this.open();
      this.state = this.store ? 'open' : 'unusable';
      const pending = this.queue.splice(0);
      if (this.store) for (const fn of pending) this.apply(fn);
    }
    return this.store;
  }

  /** Applies what is queued and closes the trace; later writes are dropped. */
  close(): void {
    if (this.state === 'disposed') return;
    if (this.queue.length > 0) this.get();
    this.store?.close();
    this.store = null;
    this.state = 'disposed';
  }

  private apply(fn: TraceWrite): void {
    try {
      fn(this.store!);
    } catch (e) {
      this.onError(e);
    }
  }
}
