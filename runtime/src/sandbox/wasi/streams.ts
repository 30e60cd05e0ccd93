// wasi:io (error, poll, streams) for one sandbox instance. Everything is
// synchronous: the guest runs in its own worker thread, so blocking there
// (Atomics.wait) blocks nobody else.

/** jco calls this on a resource when the guest drops its handle. */
export const symbolDispose: symbol = (Symbol as unknown as { dispose?: symbol }).dispose ?? Symbol.for('dispose');

export class IoError {
  /** code: the wasi filesystem error-code, for a file stream's failure. */
  constructor(readonly message: string, readonly code?: string) {}
  toDebugString(): string {
    return this.message;
  }
}

/** Ready now, or at a monotonic-clock deadline (ns). */
export class Pollable {
  constructor(readonly deadlineNs: bigint | null = null) {}
  ready(): boolean {
    return this.deadlineNs === null || monotonicNow() >= this.deadlineNs;
  }
  block(): void {
    if (this.deadlineNs !== null) sleepUntil(this.deadlineNs);
  }
}

let origin = process.hrtime.bigint();
/** Each instance's clock starts near 0: a reused worker must not show how long it has lived. */
export function resetMonotonicClock(): void {
  origin = process.hrtime.bigint();
}
export function monotonicNow(): bigint {
  return process.hrtime.bigint() - origin;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepUntil(deadlineNs: bigint): void {
  for (;;) {
    const left = deadlineNs - monotonicNow();
    if (left <= 0n) return;
    Atomics.wait(sleeper, 0, 0, Number(left) / 1e6);
  }
}

let beforeBlocking: () => void = () => {};
/** Runs before the guest blocks (time.sleep, asyncio): the worker flushes partial output lines. */
export function onBeforeBlocking(fn: () => void): void {
  beforeBlocking = fn;
}

/** wasi:io/poll#poll: indices of the ready pollables, blocking until one is. */
export function poll(list: Pollable[]): Uint32Array {
  if (list.length === 0) throw new RangeError('poll: empty list');
  for (;;) {
    const ready: number[] = [];
    list.forEach((p, i) => p.ready() && ready.push(i));
    if (ready.length) return Uint32Array.from(ready);
    beforeBlocking();
    const next = list.reduce((min, p) => (p.deadlineNs! < min ? p.deadlineNs! : min), list[0].deadlineNs!);
    sleepUntil(next);
  }
}

type StreamError = { tag: 'closed' } | { tag: 'last-operation-failed'; val: IoError };
export const streamClosed: StreamError = { tag: 'closed' };
export function streamFailed(message: string, code?: string): StreamError {
  return { tag: 'last-operation-failed', val: new IoError(message, code) };
}

/** A source of bytes: returns at most `max` bytes, an empty array at end of stream. */
export type ByteSource = (max: number) => Uint8Array;
/** A sink: takes all the bytes or throws. */
export type ByteSink = (bytes: Uint8Array) => void;

export class InputStream {
  private ended = false;
  constructor(private readonly source: ByteSource, private readonly onDispose?: () => void) {}
  read(len: bigint): Uint8Array {
    if (this.ended) throw streamClosed;
    const chunk = this.source(Number(len > 1048576n ? 1048576n : len));
    if (chunk.length === 0 && len > 0n) {
      this.ended = true;
      throw streamClosed;
    }
    return chunk;
  }
  blockingRead(len: bigint): Uint8Array {
    return this.read(len);
  }
  skip(len: bigint): bigint {
    return BigInt(this.read(len).length);
  }
  blockingSkip(len: bigint): bigint {
    return this.skip(len);
  }
  subscribe(): Pollable {
    return new Pollable();
  }
  [symbolDispose](): void {
    this.onDispose?.();
  }
}

const WRITE_BUDGET = 1n << 20n;

export class OutputStream {
  constructor(private readonly sink: ByteSink, private readonly onDispose?: () => void) {}
  checkWrite(): bigint {
    return WRITE_BUDGET;
  }
  write(contents: Uint8Array): void {
    try {
      this.sink(contents);
    } catch (err) {
      if (err && typeof err === 'object' && 'tag' in err) throw err;
      // A wasi error-code thrown by a file sink (filesystem.ts) travels on as the error's code.
      if (typeof err === 'string') throw streamFailed(err, err);
      throw streamFailed(err instanceof Error ? err.message : String(err));
    }
  }
  blockingWriteAndFlush(contents: Uint8Array): void {
    this.write(contents);
  }
  flush(): void {}
  blockingFlush(): void {}
  writeZeroes(len: bigint): void {
    this.write(new Uint8Array(Number(len)));
  }
  blockingWriteZeroesAndFlush(len: bigint): void {
    this.writeZeroes(len);
  }
  subscribe(): Pollable {
    return new Pollable();
  }
  [symbolDispose](): void {
    this.onDispose?.();
  }
}
