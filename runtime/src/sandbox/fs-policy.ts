// The file-system policy of a task, layered over preview2-shim's wasi:filesystem.
//
// preview2-shim maps guest paths to host paths under each preopen, resolving
// symlinks segment by segment in JS and refusing absolute or escaping targets,
// then opens by path. What it does not do, and this module adds:
// - read-only mounts: every mutating call under one fails with EACCES, which
//   Python raises as PermissionError;
// - the project's code mount shows Python sources only (data needs a grant);
// - symlinks a task creates may not point outside its grant, so none is left
//   behind for a later task (or the user's tools) to follow;
// - check-then-open is made atomic against every other task of this process:
//   path resolution + open, and every call that changes the namespace (symlink,
//   rename, unlink, link, mkdir), hold one process-wide lock shared by all
//   sandbox workers. A task cannot swap a link between another task's check and
//   its open.
import { posix } from 'node:path';
import { threadId } from 'node:worker_threads';

export type MountPolicy = 'read-write' | 'read-only' | 'code';

/** A WASI filesystem error code (the string form preview2-shim throws). */
type FsErrorCode = 'access' | 'no-entry' | 'not-permitted';

interface DescriptorLike {
  getType(): string;
  [key: string]: unknown;
}

interface ShimFilesystem {
  types: { Descriptor: { prototype: Record<string, unknown> } };
  _getPreopens(): Array<[DescriptorLike, string]>;
}

/** Python source files a code mount exposes. */
const CODE_FILE = /\.(py|pyi)$/;

const policyOf = new WeakMap<object, { policy: MountPolicy; root: string; guestDir: string }>();
let lock: Int32Array | null = null;
let installed = false;

// Calls that change the namespace or file contents, and whether each takes a
// path whose target must stay in the grant.
const MUTATING = ['createDirectoryAt', 'linkAt', 'removeDirectoryAt', 'renameAt', 'symlinkAt', 'unlinkFileAt', 'setTimesAt', 'setSize', 'setTimes', 'write', 'writeViaStream', 'appendViaStream'] as const;
const NAMESPACE = new Set(['createDirectoryAt', 'linkAt', 'removeDirectoryAt', 'renameAt', 'symlinkAt', 'unlinkFileAt']);

/**
 * The lock word: 0 when free, else the threadId of the holder. The pool shares one
 * SharedArrayBuffer with every worker and frees the word if its holder dies.
 */
export function createFsLock(): SharedArrayBuffer {
  return new SharedArrayBuffer(4);
}

/** Called by the pool when a worker exits, so a task killed mid-open frees the lock. */
export function releaseFsLockHeldBy(buffer: SharedArrayBuffer, deadThreadId: number): void {
  const word = new Int32Array(buffer);
  if (Atomics.compareExchange(word, 0, deadThreadId, 0) === deadThreadId) Atomics.notify(word, 0);
}

function withLock<T>(fn: () => T): T {
  if (!lock) return fn();
  const me = threadId || -1;
  if (Atomics.load(lock, 0) === me) return fn(); // re-entrant (renameAt -> openAt)
  for (;;) {
    const held = Atomics.compareExchange(lock, 0, 0, me);
    if (held === 0) break;
    Atomics.wait(lock, 0, held, 50);
  }
  try {
    return fn();
  } finally {
    Atomics.store(lock, 0, 0);
    Atomics.notify(lock, 0);
  }
}

function deny(code: FsErrorCode): never {
  // preview2-shim signals WASI errors by throwing the error-code string.
  throw code;
}

function isWriteOpen(openFlags: { create?: boolean; truncate?: boolean; exclusive?: boolean }, descriptorFlags: { write?: boolean; mutateDirectory?: boolean }): boolean {
  return Boolean(openFlags.create || openFlags.truncate || openFlags.exclusive || descriptorFlags.write || descriptorFlags.mutateDirectory);
}

/** Does a symlink target written at `linkPath` (relative to its grant) stay inside the grant? */
export function symlinkStaysInside(linkPath: string, target: string): boolean {
  if (target.startsWith('/')) return false;
  const resolved = posix.normalize(posix.join(posix.dirname(posix.normalize(linkPath)), target));
  return resolved !== '..' && !resolved.startsWith('../');
}

/**
 * Installs the policy on the filesystem module the component was transpiled
 * against. `mounts` maps each preopen's guest path to its policy.
 */
export function installFsPolicy(fs: ShimFilesystem, mounts: Record<string, MountPolicy>, lockBuffer?: SharedArrayBuffer): void {
  lock = lockBuffer ? new Int32Array(lockBuffer) : null;
  for (const [descriptor, guestPath] of fs._getPreopens()) {
    const policy = mounts[guestPath];
    if (!policy) throw new Error(`fs-policy: preopen ${guestPath} has no policy`);
    policyOf.set(descriptor, { policy, root: guestPath, guestDir: guestPath });
  }
  if (installed) return;
  installed = true;
  const proto = fs.types.Descriptor.prototype;

  const openAt = proto.openAt as (this: DescriptorLike, ...a: any[]) => DescriptorLike;
  proto.openAt = function (this: DescriptorLike, pathFlags: object, path: string, openFlags: any, descriptorFlags: any) {
    const p = policyOf.get(this);
    if (p && p.policy !== 'read-write' && isWriteOpen(openFlags, descriptorFlags)) deny('access');
    const child = withLock(() => openAt.call(this, pathFlags, path, openFlags, descriptorFlags));
    if (p) {
      if (p.policy === 'code' && child.getType() !== 'directory' && !CODE_FILE.test(path)) {
        (child as any)[Symbol.dispose]?.();
        deny('access');
      }
      policyOf.set(child, { ...p, guestDir: posix.join(p.guestDir, path) });
    }
    return child;
  };

  for (const name of ['statAt', 'metadataHashAt'] as const) {
    const orig = proto[name] as (this: DescriptorLike, ...a: any[]) => { type?: string };
    proto[name] = function (this: DescriptorLike, pathFlags: object, path: string) {
      const result = withLock(() => orig.call(this, pathFlags, path));
      // Non-code files of the code mount do not exist for the task.
      if (name === 'statAt' && policyOf.get(this)?.policy === 'code' && result.type !== 'directory' && !CODE_FILE.test(path)) deny('no-entry');
      return result;
    };
  }

  for (const name of MUTATING) {
    const orig = proto[name] as (this: DescriptorLike, ...a: any[]) => unknown;
    proto[name] = function (this: DescriptorLike, ...args: any[]) {
      const p = policyOf.get(this);
      if (p && p.policy !== 'read-write') deny('access');
      if (name === 'symlinkAt' && p && !symlinkStaysInside(posix.relative(p.root, posix.join(p.guestDir, String(args[1]))), String(args[0]))) deny('not-permitted');
      if (name === 'linkAt' || name === 'renameAt') {
        // Both ends must be writable: the second descriptor is args[2] (linkAt) or args[1] (renameAt).
        const other = args[name === 'linkAt' ? 2 : 1] as object;
        const q = policyOf.get(other);
        if (q && q.policy !== 'read-write') deny('access');
      }
      return NAMESPACE.has(name) ? withLock(() => orig.apply(this, args)) : orig.apply(this, args);
    };
  }
}
