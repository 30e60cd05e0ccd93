// A task's mount table, seen from both sides.
// - A guest path is normalised first (`.`, `..`, repeated `/`, trailing `/`)
//   and then takes the mount with the longest guest prefix: the guest's libc
//   picks a preopen by raw string prefix, so `/project/a/./b` arrives at the
//   mount of `a` as `./b`, and only the host can put it back under `a/b`.
// - A host path (symlinks resolved) takes its rights from the most specific
//   grant that holds it, whichever path led there: a read-only grant nested in
//   a read-write one stays read-only, and the reverse stays writable.
// - A grant's root, and every directory above a grant root, cannot be
//   removed, renamed or replaced by the task (EBUSY, like a mount point).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DiskQuota } from './disk-quota';

/** One preopened directory, as the worker describes it. */
export interface Grant {
  guestPath: string;
  hostPath: string;
  readOnly: boolean;
  /** Only directories and `.py` files are visible (the project root). */
  pythonOnly?: boolean;
}

export interface MountPoint { guestPath: string; realPath: string; readOnly: boolean; pythonOnly: boolean }

export function within(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith('/') ? root : `${root}/`);
}

export class Namespace {
  readonly mounts: MountPoint[];

  constructor(grants: Grant[], readonly disk: DiskQuota) {
    this.mounts = grants.map((g) => {
      const realPath = fs.realpathSync.native(g.hostPath);
      if (!fs.statSync(realPath).isDirectory()) throw new Error(`mount ${g.hostPath}: not a directory`);
      return { guestPath: path.posix.resolve(g.guestPath), realPath, readOnly: g.readOnly, pythonOnly: g.pythonOnly ?? false };
    });
  }

  /** The mount a normalised guest path falls under (longest guest prefix). */
  byGuest(guest: string): MountPoint | undefined {
    let best: MountPoint | undefined;
    for (const m of this.mounts) {
      if (within(m.guestPath, guest) && (!best || m.guestPath.length > best.guestPath.length)) best = m;
    }
    return best;
  }

  /** The grant whose rights apply to a real host path: the most specific one that holds it; on a tie, a read-only one. */
  byHost(real: string): MountPoint | undefined {
    let best: MountPoint | undefined;
    for (const m of this.mounts) {
      if (!within(m.realPath, real)) continue;
      if (!best || m.realPath.length > best.realPath.length || (m.realPath.length === best.realPath.length && m.readOnly && !best.readOnly)) best = m;
    }
    return best;
  }

  /** True when `real` is a mount's root or a directory above one. */
  holdsMount(real: string): boolean {
    return this.mounts.some((m) => within(real, m.realPath));
  }
}
