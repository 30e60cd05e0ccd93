// The task's own `/tmp`: a small in-memory filesystem, made with the instance
// and dropped with it, so nothing in it outlives the task or is seen by another.
// Its bytes count against the task's ram (TmpAccount, kept by the worker):
// linear memory plus /tmp never exceed the limit; a write past it is ENOSPC.
// No links, no special files. It serves the same wasi:filesystem calls as the
// host-backed Descriptor, and extends it only because jco checks `instanceof`.
import { Descriptor, DirectoryEntryStream } from './filesystem';
import { InputStream, OutputStream, symbolDispose } from './streams';

type ErrorCode = string;
interface Datetime { seconds: bigint; nanoseconds: number }
type NewTimestamp = { tag: 'no-change' } | { tag: 'now' } | { tag: 'timestamp'; val: Datetime };
interface OpenFlags { create?: boolean; directory?: boolean; exclusive?: boolean; truncate?: boolean }
interface DescriptorFlags { read?: boolean; write?: boolean; mutateDirectory?: boolean; [k: string]: boolean | undefined }

/** Where /tmp's bytes are charged: throws 'insufficient-space' when they do not fit. */
export interface TmpAccount { grow(bytes: number): void; shrink(bytes: number): void }

/** What one entry costs besides its data (name, node, map slot). */
const ENTRY_COST = 256;
const MAX_NAME = 255;

let nextIno = 1n;

abstract class Node {
  readonly ino = nextIno++;
  atime = now();
  mtime = this.atime;
  ctime = this.atime;
  touch(): void {
    this.mtime = this.ctime = now();
  }
}
/** Data in 64 KB pages (no copying as a file grows); a page never written reads as zeros. */
const PAGE = 65536;
class FileNode extends Node {
  readonly pages = new Map<number, Uint8Array>();
  size = 0;
  /** Bytes charged: the size rounded up to whole pages, holes included. */
  charged = 0;
  read(start: number, end: number): Uint8Array {
    const out = new Uint8Array(Math.max(0, end - start));
    for (let pos = start; pos < end;) {
      const n = Math.min(PAGE - (pos % PAGE), end - pos);
      const page = this.pages.get(Math.floor(pos / PAGE));
      if (page) out.set(page.subarray(pos % PAGE, (pos % PAGE) + n), pos - start);
      pos += n;
    }
    return out;
  }
  write(bytes: Uint8Array, at: number): void {
    for (let i = 0; i < bytes.length;) {
      const pos = at + i;
      const n = Math.min(PAGE - (pos % PAGE), bytes.length - i);
      const index = Math.floor(pos / PAGE);
      let page = this.pages.get(index);
      if (!page) this.pages.set(index, (page = new Uint8Array(PAGE)));
      page.set(bytes.subarray(i, i + n), pos % PAGE);
      i += n;
    }
  }
}
class DirNode extends Node {
  readonly entries = new Map<string, FileNode | DirNode>();
  constructor(public parent: DirNode | null) {
    super();
  }
}

function now(): Datetime {
  const ms = Date.now();
  return { seconds: BigInt(Math.floor(ms / 1000)), nanoseconds: (ms % 1000) * 1e6 };
}

export class TmpFs {
  readonly root = new DirNode(null);
  constructor(readonly account: TmpAccount) {}

  /** Sets a file's size, charging (or giving back) whole pages; growth counts in full, sparse or not. */
  resize(f: FileNode, size: number): void {
    if (!Number.isSafeInteger(size) || size < 0) throw 'invalid';
    const charge = Math.ceil(size / PAGE) * PAGE;
    if (charge > f.charged) this.account.grow(charge - f.charged);
    else if (charge < f.charged) this.account.shrink(f.charged - charge);
    f.charged = charge;
    if (size < f.size) {
      for (const index of f.pages.keys()) if (index * PAGE >= size) f.pages.delete(index);
      f.pages.get(Math.floor(size / PAGE))?.fill(0, size % PAGE);
    }
    f.size = size;
  }

  drop(node: FileNode | DirNode): void {
    this.account.shrink(ENTRY_COST + (node instanceof FileNode ? node.charged : 0));
  }

  add(dir: DirNode, name: string, node: FileNode | DirNode): void {
    if (name.length > MAX_NAME) throw 'name-too-long';
    this.account.grow(ENTRY_COST);
    dir.entries.set(name, node);
    dir.touch();
  }
}

/** A path split into its parent directory and last name ('' for the directory itself). */
interface Place { dir: DirNode; name: string; node: FileNode | DirNode | undefined; dirOnly: boolean }

function statOf(n: FileNode | DirNode) {
  const file = n instanceof FileNode;
  return {
    type: file ? 'regular-file' : 'directory', linkCount: 1n, size: BigInt(file ? n.size : 4096),
    dataAccessTimestamp: n.atime, dataModificationTimestamp: n.mtime, statusChangeTimestamp: n.ctime,
  };
}

function newTime(t: NewTimestamp, current: Datetime): Datetime {
  return t.tag === 'now' ? now() : t.tag === 'timestamp' ? t.val : current;
}

export class MemDescriptor extends Descriptor {
  constructor(private readonly tmp: TmpFs, private readonly node: FileNode | DirNode, private readonly mflags: DescriptorFlags) {
    // The host-backed fields are never used: every method below is overridden.
    super(null as never, '/tmp', '', null as never, null, mflags);
  }

  static root(tmp: TmpFs): MemDescriptor {
    return new MemDescriptor(tmp, tmp.root, { read: true, write: false, mutateDirectory: true });
  }

  private place(rel: string): Place {
    if (!(this.node instanceof DirNode)) throw 'not-directory';
    if (rel.startsWith('/') || rel.includes('\0')) throw 'not-permitted';
    const parts = rel.split('/').filter((p) => p !== '' && p !== '.');
    let dir: DirNode = this.node;
    for (let i = 0; i < parts.length - 1; i++) dir = this.step(dir, parts[i]!);
    const last = parts[parts.length - 1];
    const dirOnly = rel.endsWith('/') || rel.endsWith('/.');
    if (last === undefined) return { dir, name: '', node: dir, dirOnly: true };
    if (last === '..') {
      const up = this.step(dir, '..');
      return { dir: up, name: '', node: up, dirOnly: true };
    }
    return { dir, name: last, node: dir.entries.get(last), dirOnly };
  }

  private step(dir: DirNode, part: string): DirNode {
    if (part === '..') {
      if (!dir.parent) throw 'not-permitted'; // above /tmp: no way to another mount from here
      return dir.parent;
    }
    const next = dir.entries.get(part);
    if (!next) throw 'no-entry';
    if (!(next instanceof DirNode)) throw 'not-directory';
    return next;
  }

  private fileNode(): FileNode {
    if (!(this.node instanceof FileNode)) throw 'is-directory';
    return this.node;
  }

  private memWrite(bytes: Uint8Array, pos: number): number {
    const f = this.fileNode();
    if (!this.mflags.write) throw 'bad-descriptor';
    if (pos + bytes.length > f.size) this.tmp.resize(f, pos + bytes.length);
    f.write(bytes, pos);
    f.touch();
    return bytes.length;
  }

  override readViaStream(offset: bigint): InputStream {
    const f = this.fileNode();
    let pos = Number(offset);
    return new InputStream((max) => {
      const chunk = f.read(pos, Math.min(f.size, pos + max));
      pos += chunk.length;
      return chunk;
    });
  }

  override writeViaStream(offset: bigint): OutputStream {
    this.fileNode();
    let pos = Number(offset);
    return new OutputStream((bytes) => {
      pos += this.memWrite(bytes, pos);
    });
  }

  override appendViaStream(): OutputStream {
    const f = this.fileNode();
    return new OutputStream((bytes) => void this.memWrite(bytes, f.size));
  }

  override getFlags(): DescriptorFlags {
    return { ...this.mflags };
  }

  override getType(): 'regular-file' | 'directory' {
    return this.node instanceof FileNode ? 'regular-file' : 'directory';
  }

  override setSize(size: bigint): void {
    const f = this.fileNode();
    if (!this.mflags.write) throw 'bad-descriptor';
    this.tmp.resize(f, Number(size));
    f.touch();
  }

  override setTimes(atime: NewTimestamp, mtime: NewTimestamp): void {
    this.node.atime = newTime(atime, this.node.atime);
    this.node.mtime = newTime(mtime, this.node.mtime);
  }

  override read(length: bigint, offset: bigint): [Uint8Array, boolean] {
    const f = this.fileNode();
    const start = Math.min(Number(offset), f.size);
    const end = Math.min(f.size, start + Math.min(Number(length), 1 << 20));
    return [f.read(start, end), end >= f.size];
  }

  override write(buffer: Uint8Array, offset: bigint): bigint {
    return BigInt(this.memWrite(buffer, Number(offset)));
  }

  override readDirectory(): DirectoryEntryStream {
    if (!(this.node instanceof DirNode)) throw 'not-directory';
    return new DirectoryEntryStream([...this.node.entries].map(([name, n]) => ({ name, type: n instanceof FileNode ? 'regular-file' : 'directory' })));
  }

  override createDirectoryAt(rel: string): void {
    const p = this.place(rel);
    if (p.node) throw 'exist';
    this.tmp.add(p.dir, p.name, new DirNode(p.dir));
  }

  override stat() {
    return statOf(this.node) as ReturnType<Descriptor['stat']>;
  }

  override statAt(_flags: unknown, rel: string) {
    const p = this.place(rel);
    if (!p.node) throw 'no-entry';
    if (p.dirOnly && p.node instanceof FileNode) throw 'not-directory';
    return statOf(p.node) as ReturnType<Descriptor['stat']>;
  }

  override setTimesAt(_flags: unknown, rel: string, atime: NewTimestamp, mtime: NewTimestamp): void {
    const p = this.place(rel);
    if (!p.node) throw 'no-entry';
    p.node.atime = newTime(atime, p.node.atime);
    p.node.mtime = newTime(mtime, p.node.mtime);
  }

  override openAt(_flags: unknown, rel: string, open: OpenFlags, dflags: DescriptorFlags): Descriptor {
    const p = this.place(rel);
    let node = p.node;
    if (node && open.create && open.exclusive) throw 'exist';
    if (node instanceof DirNode) {
      if (dflags.write) throw 'is-directory';
      return new MemDescriptor(this.tmp, node, { read: true, write: false, mutateDirectory: true });
    }
    if (open.directory || p.dirOnly) throw node ? 'not-directory' : open.create ? 'is-directory' : 'no-entry';
    if (!node) {
      if (!open.create) throw 'no-entry';
      node = new FileNode();
      this.tmp.add(p.dir, p.name, node);
    } else if (open.truncate) {
      this.tmp.resize(node, 0);
      node.touch();
    }
    return new MemDescriptor(this.tmp, node, { read: dflags.read ?? !dflags.write, write: !!dflags.write });
  }

  override readlinkAt(rel: string): string {
    throw this.place(rel).node ? 'invalid' : 'no-entry'; // there are no links in /tmp
  }

  override removeDirectoryAt(rel: string): void {
    const p = this.place(rel);
    if (!p.node) throw 'no-entry';
    if (!(p.node instanceof DirNode)) throw 'not-directory';
    if (p.node === this.tmp.root || p.name === '') throw 'busy';
    if (p.node.entries.size > 0) throw 'not-empty';
    this.unlink(p);
  }

  override unlinkFileAt(rel: string): void {
    const p = this.place(rel);
    if (!p.node) throw 'no-entry';
    if (p.node instanceof DirNode) throw 'is-directory';
    if (p.dirOnly) throw 'not-directory';
    this.unlink(p);
  }

  private unlink(p: Place): void {
    p.dir.entries.delete(p.name);
    p.dir.touch();
    this.tmp.drop(p.node!);
  }

  override renameAt(oldRel: string, target: Descriptor, newRel: string): void {
    if (!(target instanceof MemDescriptor) || target.tmp !== this.tmp) throw 'cross-device';
    const from = this.place(oldRel);
    const to = target.place(newRel);
    if (!from.node) throw 'no-entry';
    if (from.name === '' || to.name === '') throw 'busy';
    if (from.node === to.node) return;
    if (from.node instanceof DirNode) {
      for (let d: DirNode | null = to.dir; d; d = d.parent) if (d === from.node) throw 'invalid'; // into itself
      if (to.node instanceof FileNode) throw 'not-directory';
      if (to.node instanceof DirNode && to.node.entries.size > 0) throw 'not-empty';
    } else if (to.node instanceof DirNode) throw 'is-directory';
    if (to.node) this.unlink(to);
    from.dir.entries.delete(from.name);
    from.dir.touch();
    to.dir.entries.set(to.name, from.node);
    to.dir.touch();
    if (from.node instanceof DirNode) from.node.parent = to.dir;
  }

  override linkAt(): void {
    throw 'not-permitted';
  }

  override symlinkAt(): void {
    throw 'not-permitted';
  }

  override advise(): void {}
  override syncData(): void {}
  override sync(): void {}

  override isSameObject(other: Descriptor): boolean {
    return other instanceof MemDescriptor && other.node === this.node;
  }

  override metadataHash(): { lower: bigint; upper: bigint } {
    return { lower: this.node.ino, upper: 0x746d70n };
  }

  override metadataHashAt(_flags: unknown, rel: string): { lower: bigint; upper: bigint } {
    const p = this.place(rel);
    if (!p.node) throw 'no-entry';
    return { lower: p.node.ino, upper: 0x746d70n };
  }

  [symbolDispose](): void {}
}

export type { ErrorCode };
