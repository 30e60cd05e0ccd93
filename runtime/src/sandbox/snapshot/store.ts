// Import snapshots on disk: `<project>/.capsule/snapshots/<name>.snap`, where
// name is an HMAC under the host key (host-key.ts) of what the snapshot is
// for, and the whole file is sealed by an HMAC under the same key. A file
// that does not verify (crafted, copied from another machine, truncated) is
// never used. Layout: "CAPSNAP1", u32 header length, the header (JSON), the
// page indexes (u32 each), the page bytes, the 32-byte seal.
import { createHmac } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { sameMac } from './host-key';
import { IMAGE_PAGE, type MemoryImage } from './memory-image';

const MAGIC = Buffer.from('CAPSNAP1');

/** What a snapshot run found, kept beside its image. */
export interface SnapshotHeader {
  format: 1;
  /** The task file it was made for (relative to the project). */
  file: string;
  /** Each guest path the run resolved, the host path it named (null: outside the mounts), that path's identity then, and for a directory its stamp (validity.ts). */
  reads: Array<[string, string | null, string, string?]>;
  /** Environment variables an import looked at ("*": all of them). */
  envRead: string[];
  /** Modules the snapshot holds beyond the sandbox's own. */
  modules: string[];
  /** Why the snapshot holds no image (nothing to preload, or the imports failed): later runs do not try again until a read changes. */
  empty?: string;
  byteLength: number;
  madeAt: string;
}

export interface StoredSnapshot { header: SnapshotHeader; image: MemoryImage | null }

export function snapshotDir(projectRoot: string): string {
  return join(projectRoot, '.capsule', 'snapshots');
}

export function writeSnapshot(file: string, key: Buffer, header: SnapshotHeader, image: MemoryImage | null): void {
  const head = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(4);
  len.writeUInt32LE(head.length);
  const parts: Buffer[] = [MAGIC, len, head];
  if (image) parts.push(Buffer.from(image.pages.buffer, image.pages.byteOffset, image.pages.byteLength), Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength));
  const mac = createHmac('sha256', key);
  for (const p of parts) mac.update(p);
  parts.push(mac.digest());
  fs.mkdirSync(join(file, '..'), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, Buffer.concat(parts));
  fs.renameSync(tmp, file);
}

/** The snapshot in `file`, or null when there is none or it does not verify under `key`. */
export function readSnapshot(file: string, key: Buffer): StoredSnapshot | null {
  let bytes: Buffer;
  try {
    const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
    try {
      if (!fs.fstatSync(fd).isFile()) return null;
      bytes = fs.readFileSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return null;
  }
  if (bytes.length < MAGIC.length + 4 + 32 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return null;
  const body = bytes.subarray(0, bytes.length - 32);
  if (!sameMac(createHmac('sha256', key).update(body).digest(), bytes.subarray(bytes.length - 32))) return null;
  const headLen = body.readUInt32LE(MAGIC.length);
  const headEnd = MAGIC.length + 4 + headLen;
  if (headEnd > body.length) return null;
  let header: SnapshotHeader;
  try {
    header = JSON.parse(body.subarray(MAGIC.length + 4, headEnd).toString('utf8')) as SnapshotHeader;
  } catch {
    return null;
  }
  if (header.format !== 1 || header.empty) return { header, image: null };
  const rest = body.subarray(headEnd);
  const count = rest.length / (4 + IMAGE_PAGE);
  if (!Number.isInteger(count)) return null;
  // Copied into shared memory once: every worker reads the same bytes.
  const pages = new Uint32Array(new SharedArrayBuffer(count * 4));
  pages.set(new Uint32Array(rest.buffer.slice(rest.byteOffset, rest.byteOffset + count * 4)));
  const data = new Uint8Array(new SharedArrayBuffer(count * IMAGE_PAGE));
  data.set(rest.subarray(count * 4));
  return { header, image: { byteLength: header.byteLength, pages, data } };
}
