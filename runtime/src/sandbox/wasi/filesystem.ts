// wasi:filesystem for one sandbox instance: per-task preopens, each confined
// to its host directory (no absolute paths, no `..` or symlink out of it),
// read-only grants refuse every write, and the project root can be limited
// to directories and `.py` files. Synchronous node:fs throughout.
//
// Every path is normalised and mapped through the task's Namespace (which
// grant it falls under, which grant's rights apply): see namespace.ts.
// Paths are checked (realpath inside the grant), then used by path: each
// check+use and each namespace change holds the process-wide fs lock, and
// tasks cannot create symlinks or hard links, so no task can swap a link into
// another's path between the check and the use. Only regular files and
// directories can be opened, and opens never block (O_NONBLOCK): a FIFO must
// not stall every task while its opener holds the lock.
// Writes are charged to the run's disk cap (disk-quota.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { withFsLock } from './fs-lock';
import { ENTRY_BYTES, type DiskQuota } from './disk-quota';
import { Namespace, within, type Grant, type MountPoint, type PycacheView } from './namespace';
import { openCachedPyc } from './pyc-redirect';
import { InputStream, IoError, OutputStream, symbolDispose } from './streams';
import { fsCall, timeArg, toStat, typeOf, type Datetime, type DescriptorFlags, type DescriptorStat, type DescriptorType, type ErrorCode, type NewTimestamp, type OpenFlags, type PathFlags } from './fs-types';

export { fsCall } from './fs-types';

export type { Grant } from './namespace';

/** A path resolved for use: its real host path and the grant whose rights apply. */
interface Target { real: string; mount: MountPoint; dirOnly: boolean }

export class Descriptor {
  constructor(
    protected readonly ns: Namespace,
    /** Normalised guest path (directories resolve their children from it). */
    readonly guestPath: string,
    /** Real host path (symlinks resolved and checked). */
    readonly hostPath: string,
    /** The grant whose rights apply to this file or directory. */
    protected readonly mount: MountPoint,
    private readonly fd: number | null,
    private readonly flags: DescriptorFlags,
  ) {}

  static preopen(ns: Namespace, guestPath: string): Descriptor {
    const m = ns.byGuest(path.posix.resolve(guestPath))!;
    const mount = ns.byHost(m.realPath)!;
    return new Descriptor(ns, m.guestPath, m.realPath, mount, null, { read: true, write: !mount.readOnly, mutateDirectory: !mount.readOnly });
  }

  // ---- path resolution (the confinement) ----

  /** Host path and rights for a guest path relative to this directory; throws a wasi error-code. */
  private resolve(rel: string, follow: boolean): Target {
    if (this.fd !== null) throw 'not-directory';
    if (rel.startsWith('/') || rel.includes('\0')) throw 'not-permitted';
    const guest = path.posix.resolve(this.guestPath, rel);
    const entry = this.ns.byGuest(guest);
    this.ns.reads?.set(guest, entry ? entry.realPath + guest.slice(entry.guestPath.length) : null);
    if (!entry) throw 'not-permitted';
    const lexical = entry.realPath + guest.slice(entry.guestPath.length);
    const parent = path.dirname(lexical);
    let real: string;
    try {
      real = follow ? fs.realpathSync.native(lexical) : path.join(fs.realpathSync.native(parent), path.basename(lexical));
    } catch {
      // Missing leaf (e.g. create): check the parent instead.
      real = path.join(fsCall(() => fs.realpathSync.native(parent)), path.basename(lexical));
    }
    if (!within(entry.realPath, real)) throw 'not-permitted';
    return { real, mount: this.ns.byHost(real) ?? entry, dirOnly: rel.endsWith('/') || rel.endsWith('/.') };
  }

  /** A directory descriptor is used by path: check its path still leads inside. */
  private stillInside(): void {
    if (!within(this.mount.realPath, fsCall(() => fs.realpathSync.native(this.hostPath)))) throw 'not-permitted';
  }

  private visible(t: { real: string; mount: MountPoint }, st: fs.Stats): boolean {
    return st.isDirectory() ? this.ns.visibleDir(t.mount, t.real) : this.ns.visibleFile(t.mount, t.real);
  }

  /** EACCES: Python raises PermissionError, which says what happened. */
  private static writable(m: MountPoint): void {
    if (m.readOnly) throw 'access';
  }

  /** A grant's root, or a directory above one, cannot be removed, renamed or replaced. */
  private notMountRoot(t: Target): void {
    if (this.ns.holdsMount(t.real)) throw 'busy';
  }

  private file(): number {
    if (this.fd === null) throw 'is-directory';
    return this.fd;
  }

  private size(fd: number): number {
    return fsCall(() => fs.fstatSync(fd)).size;
  }

  /** One charged write: the bytes, plus any hole it opens past the end. */
  private writeAt(fd: number, bytes: Uint8Array, pos: number): number {
    const cost = this.ns.disk.chargeWrite(bytes.length, pos, this.size(fd));
    try {
      return fsCall(() => fs.writeSync(fd, bytes, 0, bytes.length, pos));
    } catch (err) {
      this.ns.disk.refund(cost);
      throw err;
    }
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
    Descriptor.writable(this.mount);
    let pos = Number(offset);
    return new OutputStream((bytes) => {
      pos += this.writeAt(fd, bytes, pos);
    });
  }

  appendViaStream(): OutputStream {
    const fd = this.file();
    Descriptor.writable(this.mount);
    return new OutputStream((bytes) => {
      this.writeAt(fd, bytes, this.size(fd));
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
    Descriptor.writable(this.mount);
    const fd = this.file();
    // Growth counts in full, sparse or not: truncate(2**40) is a terabyte on a disk that does not do holes.
    const growth = Math.max(0, Number(size) - this.size(fd));
    this.ns.disk.charge(growth);
    try {
      fsCall(() => fs.ftruncateSync(fd, Number(size)));
    } catch (err) {
      this.ns.disk.refund(growth);
      throw err;
    }
  }

  setTimes(atime: NewTimestamp, mtime: NewTimestamp): void {
    Descriptor.writable(this.mount);
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
    Descriptor.writable(this.mount);
    return BigInt(this.writeAt(this.file(), buffer, Number(offset)));
  }

  readDirectory(): DirectoryEntryStream {
    if (this.fd !== null) throw 'not-directory';
    const entries = withFsLock(() => {
      this.stillInside();
      return fsCall(() => fs.readdirSync(this.hostPath, { withFileTypes: true }));
    });
    // Native extension names stay listed (not readable) so the guest can say why they cannot load.
    const shown = entries.filter((e) => (e.isDirectory() ? this.ns.visibleDir(this.mount, path.join(this.hostPath, e.name))
      : /\.(py|so|pyd|dylib)$/.test(e.name) || this.ns.visibleFile(this.mount, path.join(this.hostPath, e.name))));
    return new DirectoryEntryStream(shown.map((e) => ({
      name: e.name,
      type: e.isDirectory() ? 'directory' : e.isFile() ? 'regular-file' : e.isSymbolicLink() ? 'symbolic-link' : 'unknown',
    })));
  }

  createDirectoryAt(rel: string): void {
    withFsLock(() => {
      const t = this.resolve(rel, false);
      Descriptor.writable(t.mount);
      this.ns.disk.charge(ENTRY_BYTES);
      try {
        fsCall(() => fs.mkdirSync(t.real));
      } catch (err) {
        this.ns.disk.refund(ENTRY_BYTES);
        throw err;
      }
    });
  }

  stat(): DescriptorStat {
    if (this.fd !== null) return toStat(fsCall(() => fs.fstatSync(this.fd!)));
    return withFsLock(() => {
      this.stillInside();
      return toStat(fsCall(() => fs.statSync(this.hostPath)));
    });
  }

  statAt(flags: PathFlags, rel: string): DescriptorStat {
    return toStat(withFsLock(() => this.statVisible(rel, !!flags.symlinkFollow)));
  }

  /** stat or lstat of a path the task may see; a hidden file is `no-entry`, as if absent. */
  private statVisible(rel: string, follow: boolean, bigint = false): fs.Stats {
    const t = this.resolve(rel, follow);
    const st = fsCall(() => (follow ? fs.statSync(t.real) : fs.lstatSync(t.real)));
    if (!this.visible(t, st)) throw 'no-entry';
    return bigint ? (fsCall(() => (follow ? fs.statSync(t.real, { bigint: true }) : fs.lstatSync(t.real, { bigint: true }))) as unknown as fs.Stats) : st;
  }

  setTimesAt(flags: PathFlags, rel: string, atime: NewTimestamp, mtime: NewTimestamp): void {
    withFsLock(() => {
      const t = this.resolve(rel, !!flags.symlinkFollow);
      Descriptor.writable(t.mount);
      const st = fsCall(() => fs.statSync(t.real));
      fsCall(() => fs.utimesSync(t.real, timeArg(atime, st.atimeMs), timeArg(mtime, st.mtimeMs)));
    });
  }

  linkAt(): void {
    throw 'not-permitted'; // hard links could alias files across grants
  }

  openAt(flags: PathFlags, rel: string, open: OpenFlags, dflags: DescriptorFlags): Descriptor {
    return withFsLock(() => this.openLocked(flags, rel, open, dflags));
  }

  private openLocked(flags: PathFlags, rel: string, open: OpenFlags, dflags: DescriptorFlags): Descriptor {
    if (this.ns.pycache && !open.create && !dflags.write) {
      const cached = this.cachedPyc(rel);
      if (cached) return cached;
    }
    const t = this.resolve(rel, flags.symlinkFollow !== false);
    const wantsWrite = !!(dflags.write || open.create || open.truncate);
    if (wantsWrite) Descriptor.writable(t.mount);
    let st: fs.Stats | null = null;
    try {
      st = fs.statSync(t.real);
    } catch {
      if (!open.create) throw 'no-entry';
    }
    if (st && open.create && open.exclusive) throw 'exist';
    const guest = path.posix.resolve(this.guestPath, rel);
    if (st?.isDirectory()) {
      if (!this.visible(t, st)) throw 'no-entry';
      if (dflags.write) throw 'is-directory';
      return new Descriptor(this.ns, guest, t.real, t.mount, null, { read: true, write: false, mutateDirectory: !t.mount.readOnly });
    }
    if (open.directory || t.dirOnly) throw st ? 'not-directory' : open.create ? 'is-directory' : 'no-entry';
    if (st && !this.visible(t, st)) throw 'no-entry';
    // FIFOs, sockets and devices: opening one can block (and we hold the lock) or never end.
    if (st && !st.isFile()) throw 'not-permitted';
    if (t.mount.pythonOnly && open.create && !t.real.endsWith('.py')) throw 'not-permitted';
    let mode = fs.constants.O_RDONLY;
    if (dflags.write) mode = dflags.read ? fs.constants.O_RDWR : fs.constants.O_WRONLY;
    if (open.create) mode |= fs.constants.O_CREAT;
    if (open.exclusive) mode |= fs.constants.O_EXCL;
    if (open.truncate) mode |= fs.constants.O_TRUNC;
    const created = st ? 0 : ENTRY_BYTES;
    this.ns.disk.charge(created);
    let fd: number;
    try {
      fd = fsCall(() => fs.openSync(t.real, mode | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK));
    } catch (err) {
      this.ns.disk.refund(created);
      throw err;
    }
    // Swapped for something else between the stat and the open (by another process): refuse it.
    if (!fs.fstatSync(fd).isFile()) {
      fs.closeSync(fd);
      throw 'not-permitted';
    }
    return new Descriptor(this.ns, guest, t.real, t.mount, fd, { read: dflags.read ?? !dflags.write, write: !!dflags.write });
  }

  /** The host cache's .pyc for a code mount's source (pyc-redirect.ts), or null: let the open go on. */
  private cachedPyc(rel: string): Descriptor | null {
    const guest = path.posix.resolve(this.guestPath, rel);
    const hit = openCachedPyc(this.ns, guest, (sourceGuest) => {
      try {
        return this.resolve(path.posix.relative(this.guestPath, sourceGuest) || '.', false);
      } catch {
        return null;
      }
    });
    return hit && new Descriptor(this.ns, guest, hit.file, hit.mount, hit.fd, { read: true, write: false });
  }

  readlinkAt(rel: string): string {
    const target = withFsLock(() => {
      const t = this.resolve(rel, false);
      const st = fsCall(() => fs.lstatSync(t.real));
      if (!this.visible(t, st)) throw 'no-entry';
      return fsCall(() => fs.readlinkSync(t.real));
    });
    if (path.isAbsolute(target)) throw 'not-permitted';
    return target;
  }

  removeDirectoryAt(rel: string): void {
    withFsLock(() => {
      const t = this.resolve(rel, false);
      Descriptor.writable(t.mount);
      this.notMountRoot(t);
      fsCall(() => fs.rmdirSync(t.real));
    });
  }

  renameAt(oldRel: string, target: Descriptor, newRel: string): void {
    withFsLock(() => {
      const from = this.resolve(oldRel, false);
      const to = target.resolve(newRel, false);
      Descriptor.writable(from.mount);
      Descriptor.writable(to.mount);
      this.notMountRoot(from);
      target.notMountRoot(to);
      fsCall(() => fs.renameSync(from.real, to.real));
    });
  }

  symlinkAt(): void {
    throw 'not-permitted'; // a link is a way out of the grant for the next task
  }

  unlinkFileAt(rel: string): void {
    withFsLock(() => {
      const t = this.resolve(rel, false);
      Descriptor.writable(t.mount);
      this.notMountRoot(t);
      fsCall(() => fs.unlinkSync(t.real));
    });
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
    const st = withFsLock(() => this.statVisible(rel, !!flags.symlinkFollow, true)) as unknown as fs.BigIntStats;
    return { lower: st.ino, upper: st.dev };
  }

  [symbolDispose](): void {
    if (this.fd !== null) fs.closeSync(this.fd);
  }
}

/** The preopens of one task: every grant, each mapped through one shared Namespace. */
export function preopens(grants: Grant[], disk: DiskQuota, pycache: PycacheView | null = null, reads: Map<string, string | null> | null = null): [Descriptor, string][] {
  const ns = new Namespace(grants, disk, pycache, reads);
  return grants.map((g) => [Descriptor.preopen(ns, g.guestPath), g.guestPath]);
}

export class DirectoryEntryStream {
  private index = 0;
  constructor(private readonly entries: { name: string; type: DescriptorType }[]) {}
  readDirectoryEntry(): { name: string; type: DescriptorType } | undefined {
    return this.entries[this.index++];
  }
}

/** wasi:filesystem/types#filesystem-error-code: a failed file write (e.g. ENOSPC at the disk cap) keeps its code. */
export function filesystemErrorCode(err: IoError): ErrorCode | undefined {
  return err instanceof IoError ? err.code : undefined;
}
