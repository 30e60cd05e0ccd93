// The engine's trace, opened off a task's critical path and written in
// batches. Opening it (SQLite in wasm, the schema, recovery of dead processes'
// rows, pruning) costs tens of milliseconds of this thread; a cold `capsule
// run` would pay them before its task could start. Writes queue, and the turn
// after the first one opens the trace and applies them; from then on each
// turn's writes go in one transaction (a fan-out of 100 sub-tasks made ~300
// transactions on the thread that also serves the sandboxes). A read, a flush
// or close applies what is queued at once. Writes keep their order.
import type { TraceStore } from './trace-store';

export type TraceWrite = (t: TraceStore) => void;

export class DeferredTrace {
  private store: TraceStore | null = null;
  private state: 'closed' | 'open' | 'unusable' | 'disposed' = 'closed';
  private scheduled = false;
  private readonly queue: TraceWrite[] = [];

  /**
   * `open` returns null when the trace cannot be used (it reports why itself);
   * the engine then runs without one. `onError` gets each failed write.
   */
  constructor(
    private readonly open: () => TraceStore | null,
    private readonly onError: (e: unknown) => void,
  ) {}

  /** Queues `fn`; it is applied on the next turn (or by a read, a flush or close). */
  write(fn: TraceWrite): void {
    if (this.state === 'unusable' || this.state === 'disposed') return;
    this.queue.push(fn);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Has the trace been opened (a flush then costs one transaction, not the open)? */
  get opened(): boolean {
    return this.state === 'open';
  }

  /** The open trace with every queued write applied, or null if it cannot be used. */
  get(): TraceStore | null {
    this.flush();
    return this.store;
  }

  /** Opens the trace if need be and applies what is queued, in one transaction. */
  flush(): void {
    this.scheduled = false;
    if (this.state === 'closed') {
      this.store = this.open();
      this.state = this.store ? 'open' : 'unusable';
    }
    const pending = this.queue.splice(0);
    if (!this.store || pending.length === 0) return;
    try {
      this.store.batch(() => {
        for (const fn of pending) this.apply(fn);
      });
    } catch (e) {
      this.onError(e);
    }
  }

  /** Applies what is queued and closes the trace; later writes are dropped. */
  close(): void {
    if (this.state === 'disposed') return;
    if (this.queue.length > 0) this.flush();
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
