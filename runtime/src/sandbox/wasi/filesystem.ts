// wasi:filesystem for one sandbox instance: per-task preopens, each confined
// to its host directory (no absolute paths, no `..` or symlink out of it),
// read-only grants refuse every write, and the project root can be limited
// to directories and `.py` files. Synchronous node:fs throughout.
//
// Paths are checked (realpath inside the grant), then used by path: each
// check+use and each namespace change holds the process-wide fs lock, and
// tasks cannot create symlinks or hard links, so no task can swap a link into
// another's path between the check and the use.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { withFsLock } from './fs-lock';
import { InputStream, OutputStream, symbolDispose } from './streams';

type ErrorCode = string;
type DescriptorType = 'unknown' | 'directory' | 'regular-file' | 'symbolic-link' | 'fifo' | 'socket' | 'character-device' | 'block-device';
interface Datetime { seconds: bigint; nanoseconds: number }
interface DescriptorStat {
  type: DescriptorType; linkCount: bigint; size: bigint;
  dataAccessTimestamp?: Datetime; dataModificationTimestamp?: Datetime; statusChangeTimestamp?: Datetime;
}
interface PathFlags { symlinkFollow?: boolean }
interface OpenFlags { create?: boolean; directory?: boolean; exclusive?: boolean; truncate?: boolean }
interface DescriptorFlags { read?: boolean; write?: boolean; mutateDirectory?: boolean; [k: string]: boolean | undefined }
type NewTimestamp = { tag: 'no-change' } | { tag: 'now' } | { tag: 'timestamp'; val: Datetime };

/** One preopened directory. */
export interface Grant {
  guestPath: string;
  hostPath: string;
  readOnly: boolean;
  /** Only directories and `.py` files are visible (the project root). */
  pythonOnly?: boolean;
}

interface Root { realPath: string; readOnly: boolean; pythonOnly: boolean }

const errnoToCode: Record<string, ErrorCode> = {
  ENOENT: 'no-entry', EEXIST: 'exist', EACCES: 'access', EPERM: 'not-permitted', EISDIR: 'is-directory',
  ENOTDIR: 'not-directory', ENOTEMPTY: 'not-empty', EBADF: 'bad-descriptor', EINVAL: 'invalid', ELOOP: 'loop',
  ENAMETOOLONG: 'name-too-long', ENOSPC: 'insufficient-space', EROFS: 'read-only', EXDEV: 'cross-device',
  EBUSY: 'busy', EMFILE: 'insufficient-memory', EFBIG: 'file-too-large', ESPIPE: 'invalid-seek',
};

/** Runs a node:fs call, turning its errno into a wasi error-code (thrown as the result's err). */
function fsCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException)?.code;
    if (typeof err === 'string') throw err;
    throw (code && errnoToCode[code]) || 'io';
  }
}

function toDatetime(ms: number): Datetime {
  const seconds = Math.floor(ms / 1000);
  return { seconds: BigInt(seconds), nanoseconds: Math.round((ms - seconds * 1000) * 1e6) };
}

function typeOf(st: fs.Stats): DescriptorType {
  if (st.isFile()) return 'regular-file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symbolic-link';
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice()) return 'character-device';
  if (st.isBlockDevice()) return 'block-device';
  return 'unknown';
}

function toStat(st: fs.Stats): DescriptorStat {
  return {
    type: typeOf(st), linkCount: BigInt(st.nlink), size: BigInt(st.size),
    dataAccessTimestamp: toDatetime(st.atimeMs), dataModificationTimestamp: toDatetime(st.mtimeMs),
    statusChangeTimestamp: toDatetime(st.ctimeMs),
  };
}

function within(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

function timeArg(t: NewTimestamp, current: number): number {
  if (t.tag === 'now') return Date.now() / 1000;
  if (t.tag === 'timestamp') return Number(t.val.seconds) + t.val.nanoseconds / 1e9;
  return current / 1000;
}

export class Descriptor {
  constructor(
    private readonly root: Root,
    /** Real host path (symlinks resolved and checked). */
    readonly hostPath: string,
    private readonly fd: number | null,
    private readonly flags: DescriptorFlags,
  ) {}

  static preopen(grant: Grant): Descriptor {
    const realPath = fs.realpathSync.native(grant.hostPath);
    if (!fs.statSync(realPath).isDirectory()) throw new Error(`mount ${grant.hostPath}: not a directory`);
    const root = { realPath, readOnly: grant.readOnly, pythonOnly: grant.pythonOnly ?? false };
    return new Descriptor(root, realPath, null, { read: true, write: !grant.readOnly, mutateDirectory: !grant.readOnly });
  }

  // ---- path resolution (the confinement) ----

  /** Host path for a guest path relative to this directory; throws a wasi error-code. */
  private resolve(rel: string, follow: boolean): string {
    if (this.fd !== null) throw 'not-directory';
    if (rel.startsWith('/') || rel.includes('\0')) throw 'not-permitted';
    const lexical = path.resolve(this.hostPath, rel);
    if (!within(this.root.realPath, lexical)) throw 'not-permitted';
    const parent = path.dirname(lexical);
    let real: string;
    try {
      real = follow ? fs.realpathSync.native(lexical) : path.join(fs.realpathSync.native(parent), path.basename(lexical));
    } catch {
      // Missing leaf (e.g. create): check the parent instead.
      real = path.join(fsCall(() => fs.realpathSync.native(parent)), path.basename(lexical));
    }
    if (!within(this.root.realPath, real)) throw 'not-permitted';
    return real;
  }

  /** A directory descriptor is used by path: check its path still leads inside. */
  private stillInside(): void {
    if (!within(this.root.realPath, fsCall(() => fs.realpathSync.native(this.hostPath)))) throw 'not-permitted';
  }

  private visible(hostPath: string, st: fs.Stats): boolean {
    return !this.root.pythonOnly || st.isDirectory() || hostPath.endsWith('.py');
  }

  private writable(): void {
    // EACCES: Python raises PermissionError, which says what happened.
    if (this.root.readOnly) throw 'access';
  }

  private file(): number {
    if (this.fd === null) throw 'is-directory';
    return this.fd;
  }

  // ---- wasi:filesystem/types#descriptor ----

  readViaStream(offset: bigint): InputStream {
    const fd = this.file();
    let pos = Number(offset);
    return new InputStream((max) => {
      const buf = Buffer.allocUnsafe(max);
      const n = fsCall(() => fs.readSync(fd, buf, 0, max, pos));
      pos += n;
      return buf.subarray(0, n);
    });
  }

  writeViaStream(offset: bigint): OutputStream {
    const fd = this.file();
    this.writable();
    let pos = Number(offset);
    return new OutputStream((bytes) => {
      pos += fsCall(() => fs.writeSync(fd, bytes, 0, bytes.length, pos));
    });
  }

  appendViaStream(): OutputStream {
    const fd = this.file();
    this.writable();
    return new OutputStream((bytes) => {
      fsCall(() => fs.writeSync(fd, bytes, 0, bytes.length, fs.fstatSync(fd).size));
    });
  }

  advise(): void {}
  syncData(): void {}
  sync(): void {}

  getFlags(): DescriptorFlags {
    return { ...this.flags };
  }

  getType(): DescriptorType {
    return this.fd === null ? 'directory' : typeOf(fsCall(() => fs.fstatSync(this.fd!)));
  }

  setSize(size: bigint): void {
    this.writable();
    fsCall(() => fs.ftruncateSync(this.file(), Number(size)));
  }

  setTimes(atime: NewTimestamp, mtime: NewTimestamp): void {
    this.writable();
    const st = this.stat();
    const ms = (d?: Datetime) => (d ? Number(d.seconds) * 1000 + d.nanoseconds / 1e6 : Date.now());
    const [a, m] = [timeArg(atime, ms(st.dataAccessTimestamp)), timeArg(mtime, ms(st.dataModificationTimestamp))];
    if (this.fd !== null) fsCall(() => fs.futimesSync(this.fd!, a, m));
    else withFsLock(() => {
      this.stillInside();
      fsCall(() => fs.utimesSync(this.hostPath, a, m));
    });
  }

  read(length: bigint, offset: bigint): [Uint8Array, boolean] {
    const fd = this.file();
    const len = Math.min(Number(length), 1 << 20);
    const buf = Buffer.allocUnsafe(len);
    const n = fsCall(() => fs.readSync(fd, buf, 0, len, Number(offset)));
    return [buf.subarray(0, n), n < len];
  }

  write(buffer: Uint8Array, offset: bigint): bigint {
    this.writable();
    return BigInt(fsCall(() => fs.writeSync(this.file(), buffer, 0, buffer.length, Number(offset))));
  }

  readDirectory(): DirectoryEntryStream {
    if (this.fd !== null) throw 'not-directory';
    const entries = withFsLock(() => {
      this.stillInside();
      return fsCall(() => fs.readdirSync(this.hostPath, { withFileTypes: true }));
    });
    // Native extension names stay listed (not readable) so the guest can say why they cannot load.
    const shown = entries.filter((e) => !this.root.pythonOnly || e.isDirectory() || /\.(py|so|pyd|dylib)$/.test(e.name));
    return new DirectoryEntryStream(shown.map((e) => ({
      name: e.name,
      type: e.isDirectory() ? 'directory' : e.isFile() ? 'regular-file' : e.isSymbolicLink() ? 'symbolic-link' : 'unknown',
    })));
  }

  createDirectoryAt(rel: string): void {
    this.writable();
    withFsLock(() => fsCall(() => fs.mkdirSync(this.resolve(rel, false))));
  }

  stat(): DescriptorStat {
    if (this.fd !== null) return toStat(fsCall(() => fs.fstatSync(this.fd!)));
    return withFsLock(() => {
      this.stillInside();
      return toStat(fsCall(() => fs.statSync(this.hostPath)));
    });
  }

  statAt(flags: PathFlags, rel: string): DescriptorStat {
    const [p, st] = withFsLock(() => {
      const q = this.resolve(rel, !!flags.symlinkFollow);
      return [q, fsCall(() => (flags.symlinkFollow ? fs.statSync(q) : fs.lstatSync(q)))] as const;
    });
    if (!this.visible(p, st)) throw 'no-entry';
    return toStat(st);
  }

  setTimesAt(flags: PathFlags, rel: string, atime: NewTimestamp, mtime: NewTimestamp): void {
    this.writable();
    const p = this.resolve(rel, !!flags.symlinkFollow);
    const st = fsCall(() => fs.statSync(p));
    fsCall(() => fs.utimesSync(p, timeArg(atime, st.atimeMs), timeArg(mtime, st.mtimeMs)));
  }

  linkAt(): void {
    throw 'not-permitted'; // hard links could alias files across grants
  }

  openAt(flags: PathFlags, rel: string, open: OpenFlags, dflags: DescriptorFlags): Descriptor {
    return withFsLock(() => this.openLocked(flags, rel, open, dflags));
  }

  private openLocked(flags: PathFlags, rel: string, open: OpenFlags, dflags: DescriptorFlags): Descriptor {
    const wantsWrite = !!(dflags.write || open.create || open.truncate || dflags.mutateDirectory && open.create);
    if (wantsWrite) this.writable();
    const p = this.resolve(rel, flags.symlinkFollow !== false);
    let st: fs.Stats | null = null;
    try {
      st = fs.statSync(p);
    } catch {
      if (!open.create) throw 'no-entry';
    }
    if (st && open.create && open.exclusive) throw 'exist';
    if (st?.isDirectory()) {
      if (dflags.write) throw 'is-directory';
      return new Descriptor(this.root, p, null, { read: true, write: false, mutateDirectory: !this.root.readOnly });
    }
    if (open.directory) throw st ? 'not-directory' : 'no-entry';
    if (st && !this.visible(p, st)) throw 'no-entry';
    let mode = fs.constants.O_RDONLY;
    if (dflags.write) mode = dflags.read ? fs.constants.O_RDWR : fs.constants.O_WRONLY;
    if (open.create) mode |= fs.constants.O_CREAT;
    if (open.exclusive) mode |= fs.constants.O_EXCL;
    if (open.truncate) mode |= fs.constants.O_TRUNC;
    if (this.root.pythonOnly && open.create && !p.endsWith('.py')) throw 'not-permitted';
    const fd = fsCall(() => fs.openSync(p, mode | fs.constants.O_NOFOLLOW));
    return new Descriptor(this.root, p, fd, { read: dflags.read ?? !dflags.write, write: !!dflags.write });
  }

  readlinkAt(rel: string): string {
    const p = this.resolve(rel, false);
    const target = fsCall(() => fs.readlinkSync(p));
    if (path.isAbsolute(target)) throw 'not-permitted';
    return target;
  }

  removeDirectoryAt(rel: string): void {
    this.writable();
    withFsLock(() => fsCall(() => fs.rmdirSync(this.resolve(rel, false))));
  }

  renameAt(oldRel: string, target: Descriptor, newRel: string): void {
    this.writable();
    target.writable();
    withFsLock(() => fsCall(() => fs.renameSync(this.resolve(oldRel, false), target.resolve(newRel, false))));
  }

  symlinkAt(): void {
    throw 'not-permitted'; // a link is a way out of the grant for the next task
  }

  unlinkFileAt(rel: string): void {
    this.writable();
    withFsLock(() => fsCall(() => fs.unlinkSync(this.resolve(rel, false))));
  }

  isSameObject(other: Descriptor): boolean {
    return other.hostPath === this.hostPath;
  }

  metadataHash(): { lower: bigint; upper: bigint } {
    const st = this.fd !== null
      ? fsCall(() => fs.fstatSync(this.fd!, { bigint: true }))
      : withFsLock(() => {
        this.stillInside();
        return fsCall(() => fs.statSync(this.hostPath, { bigint: true }));
      });
    return { lower: st.ino, upper: st.dev };
  }

  metadataHashAt(flags: PathFlags, rel: string): { lower: bigint; upper: bigint } {
    const p = this.resolve(rel, !!flags.symlinkFollow);
    const st = fsCall(() => fs.statSync(p, { bigint: true }));
    return { lower: st.ino, upper: st.dev };
  }

  [symbolDispose](): void {
    if (this.fd !== null) fs.closeSync(this.fd);
  }
}

export class DirectoryEntryStream {
  private index = 0;
  constructor(private readonly entries: { name: string; type: DescriptorType }[]) {}
  readDirectoryEntry(): { name: string; type: DescriptorType } | undefined {
    return this.entries[this.index++];
  }
}

/** wasi:filesystem/types#filesystem-error-code: we never attach codes to stream errors. */
export function filesystemErrorCode(): undefined {
  return undefined;
}
