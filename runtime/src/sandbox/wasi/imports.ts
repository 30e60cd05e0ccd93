// The component's whole import object for one task: WASI 0.2 (our own
// implementation, no preview2-shim: its Node backend sends every call through
// a helper thread, exits the process on exit, and has no read-only grants)
// plus capsule:host. Stdin is empty; stdout/stderr go to the given sinks.
import { createCipheriv, randomFillSync, type Cipher } from 'node:crypto';
import { DiskQuota, type DiskBudget } from './disk-quota';
import { Descriptor, DirectoryEntryStream, filesystemErrorCode, preopens as makePreopens, type Grant } from './filesystem';
import { MemDescriptor, TmpFs, type TmpAccount } from './tmpfs';
import type { PycacheView } from './namespace';
import { InputStream, IoError, OutputStream, Pollable, monotonicNow, poll, type ByteSink } from './streams';
import type { TaskClock } from './task-clock';

/** Thrown by wasi:cli/exit to unwind the guest without touching the host process. */
export class GuestExit extends Error {
  constructor(readonly failed: boolean) {
    super(`guest exited with ${failed ? 'a failure status' : 'status 0'}`);
  }
}

export interface WasiOptions {
  /** Read lazily, when the guest first asks: a spare instance is created before its task is known. */
  env(): Record<string, string>;
  grants(): Grant[];
  /** The run's disk budget (shared with its other sandboxes). */
  disk(): DiskBudget;
  /** Where the task's in-memory /tmp charges its bytes (its ram). */
  tmp(): TmpAccount;
  /** The host's bytecode cache for this task, or null. */
  pycache?(): PycacheView | null;
  /** Where to note every guest path resolved (a snapshot run), or null. */
  record?(): Map<string, string | null> | null;
  stdout: ByteSink;
  stderr: ByteSink;
  hostCall(op: string, payload: string): string;
  /** The task's entropy seed (SandboxSpec.entropySeed), or null for the host's CSPRNG; read at each draw. */
  seed?(): string | null;
  /** The task's clocks (task-clock.ts); read at each reading. Without it, the host's. */
  clock?(): TaskClock;
}

/**
 * Random bytes: the host's CSPRNG, or, once the task has a seed, that seed's
 * ChaCha20 keystream (a CSPRNG too; the same seed draws the same bytes in order).
 */
function entropy(seed: () => string | null): (into: Uint8Array) => Uint8Array {
  let stream: { seed: string; cipher: Cipher } | null = null;
  return (into) => {
    const s = seed();
    if (s === null) return randomFillSync(into);
    if (stream?.seed !== s) stream = { seed: s, cipher: createCipheriv('chacha20', Buffer.from(s, 'hex'), Buffer.alloc(16)) };
    into.set(stream.cipher.update(new Uint8Array(into.length)));
    return into;
  };
}

class TerminalInput {}
class TerminalOutput {}

export function createImports(opts: WasiOptions): Record<string, Record<string, unknown>> {
  const stdin = new InputStream(() => new Uint8Array(0));
  const stdout = new OutputStream(opts.stdout);
  const stderr = new OutputStream(opts.stderr);
  let preopens: [Descriptor, string][] | null = null;
  const random = entropy(() => opts.seed?.() ?? null);
  const wallNow = () => {
    const ms = opts.clock ? opts.clock().wallMs() : Date.now();
    return { seconds: BigInt(Math.floor(ms / 1000)), nanoseconds: (ms % 1000) * 1e6 };
  };
  const guestMonotonic = () => (opts.clock ? opts.clock().monotonicNs() : monotonicNow());
  return {
    'wasi:cli/environment': {
      getEnvironment: () => Object.entries(opts.env()),
      getArguments: () => ['python'],
      initialCwd: () => undefined,
    },
    'wasi:cli/exit': {
      exit(status: { tag: 'ok' | 'err' }) {
        throw new GuestExit(status.tag === 'err');
      },
    },
    'wasi:cli/stdin': { getStdin: () => stdin },
    'wasi:cli/stdout': { getStdout: () => stdout },
    'wasi:cli/stderr': { getStderr: () => stderr },
    'wasi:cli/terminal-input': { TerminalInput },
    'wasi:cli/terminal-output': { TerminalOutput },
    'wasi:cli/terminal-stdin': { getTerminalStdin: () => undefined },
    'wasi:cli/terminal-stdout': { getTerminalStdout: () => undefined },
    'wasi:cli/terminal-stderr': { getTerminalStderr: () => undefined },
    'wasi:clocks/monotonic-clock': {
      now: guestMonotonic,
      resolution: () => 1000n,
      // An instant on the task's clock, which a resumed task's recorded readings set apart from the host's.
      subscribeInstant: (when: bigint) => new Pollable(opts.clock ? opts.clock().toHost(when) : when),
      subscribeDuration: (d: bigint) => new Pollable(monotonicNow() + d),
    },
    'wasi:clocks/wall-clock': { now: wallNow, resolution: () => ({ seconds: 0n, nanoseconds: 1e6 }) },
    'wasi:filesystem/preopens': {
      getDirectories() {
        if (!preopens) {
          const grants = opts.grants();
          preopens = makePreopens(grants, new DiskQuota(opts.disk(), (message) => opts.stderr(new TextEncoder().encode(message))), opts.pycache?.() ?? null, opts.record?.() ?? null);
          // The task's own /tmp, unless a grant is mounted there.
          if (!grants.some((g) => g.guestPath.replace(/\/+$/, '') === '/tmp')) preopens.push([MemDescriptor.root(new TmpFs(opts.tmp())), '/tmp']);
        }
        return preopens;
      },
    },
    'wasi:filesystem/types': { Descriptor, DirectoryEntryStream, filesystemErrorCode },
    'wasi:io/error': { Error: IoError },
    'wasi:io/poll': { Pollable, poll },
    'wasi:io/streams': { InputStream, OutputStream },
    'wasi:random/random': {
      getRandomBytes: (len: bigint) => random(new Uint8Array(Number(len))),
      getRandomU64: () => new BigUint64Array(random(new Uint8Array(8)).buffer)[0],
    },
    'wasi:random/insecure': {
      getInsecureRandomBytes: (len: bigint) => random(new Uint8Array(Number(len))),
      getInsecureRandomU64: () => new BigUint64Array(random(new Uint8Array(8)).buffer)[0],
    },
    'wasi:random/insecure-seed': { insecureSeed: () => Array.from(new BigUint64Array(random(new Uint8Array(16)).buffer)) as [bigint, bigint] },
    'capsule:host/host': { call: opts.hostCall },
  };
}
