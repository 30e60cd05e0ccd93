// When a project's import snapshot may stand in for a task's own imports: the
// snapshot run saw the same files (each path it resolved still names the
// same file or directory, unchanged, or is still absent), the task's grants
// reveal nothing the run looked for, the task lacks every environment
// variable an import read, and the image fits in the task's ram.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { within } from '../wasi/namespace';
import type { Mount } from '../types';
import type { SnapshotHeader } from './store';

/** Entry names that can change what an import finds: modules, packages (any directory), .pth files, archives. */
const IMPORTABLE = /\.(py|pyc|pyw|so|pyd|pth|zip|egg|whl|pyz)$/;

/**
 * A path's identity. A file: kind, inode, size and change times (ctime moves
 * on any write or utime). A directory: the names in it an import could find
 * (a task writing out.json into the project must not make its snapshot stale).
 */
export function identity(host: string | null): string {
  if (host === null) return 'outside';
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(host, { throwIfNoEntry: false });
  } catch {
    st = undefined; // ENOTDIR and the like: nothing there either
  }
  if (!st) return 'absent';
  if (st.isDirectory()) {
    let names: fs.Dirent[];
    try {
      names = fs.readdirSync(host, { withFileTypes: true });
    } catch {
      return 'unreadable';
    }
    const h = createHash('sha256');
    // Dot-names are never modules (and the project mount hides them: .capsule, .venv, .git).
    for (const n of names.filter((e) => !e.name.startsWith('.') && (e.isDirectory() || IMPORTABLE.test(e.name))).map((e) => e.name).sort()) h.update(n).update('\0');
    return `d:${st.ino}:${h.digest('hex').slice(0, 32)}`;
  }
  return `${st.isFile() ? 'f' : 'o'}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}

/** Null when the snapshot (not stale: see stale()) may be used by this task; else why not. */
export function unusableFor(header: SnapshotHeader, task: { env: Record<string, string>; grants: Mount[]; memoryBytes: number }): string | null {
  if (header.byteLength > task.memoryBytes) return 'the snapshot needs more memory than the task may use';
  if (header.envRead.includes('*') ? Object.keys(task.env).length > 0 : header.envRead.some((n) => n in task.env)) return 'an import read an environment variable the task has';
  for (const [guest] of header.reads) {
    if (task.grants.some((g) => within(g.guestPath, guest))) return `the task's grants reveal ${guest}, which the imports looked at`;
  }
  return null;
}

/** A directory's modification stamp: while it is unchanged, so are the names in it (no readdir needed). */
export function dirStamp(host: string | null): string | undefined {
  if (host === null) return undefined;
  try {
    const st = fs.statSync(host, { throwIfNoEntry: false });
    return st?.isDirectory() ? `${st.ino}:${st.mtimeMs}:${st.ctimeMs}` : undefined;
  } catch {
    return undefined;
  }
}

/** Null while every path the snapshot run resolved still names what it did. */
export function stale(header: SnapshotHeader): string | null {
  for (const [guest, host, was, stamp] of header.reads) {
    if (stamp !== undefined && dirStamp(host) === stamp) continue; // an untouched directory
    if (identity(host) !== was) return `${guest} changed`;
  }
  return null;
}
