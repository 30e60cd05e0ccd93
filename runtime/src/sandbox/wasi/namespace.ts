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
  /** Only directories, `.py` files and package data are visible (the project root). */
  pythonOnly?: boolean;
  /** Host paths visible in a pythonOnly mount although not .py (zip archives on sys.path). */
  alsoVisible?: string[];
  /** Code mount: its `__pycache__/*.pyc` reads may be answered from the host's bytecode cache. */
  pycache?: boolean;
}

export interface MountPoint { guestPath: string; realPath: string; readOnly: boolean; pythonOnly: boolean; alsoVisible: Set<string>; pycache: boolean }

/** The host's bytecode cache as one task sees it (pycache.ts): where entries are, and the misses it noted. */
export interface PycacheView {
  dir: string;
  misses: Array<{ source: string; guest: string }>;
  /** Called at the task's first miss: the host's compiler can start meanwhile. */
  firstMiss?(): void;
}

export function within(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith('/') ? root : `${root}/`);
}

export class Namespace {
  readonly mounts: MountPoint[];

  /**
   * @param reads a snapshot run's record: every guest path resolved, with the
   * host path it named (null: outside every mount). A later task may use the
   * snapshot only if each still names the same thing (snapshot/validity.ts).
   */
  constructor(grants: Grant[], readonly disk: DiskQuota, readonly pycache: PycacheView | null = null, readonly reads: Map<string, string | null> | null = null) {
    this.mounts = grants.map((g) => {
      const realPath = fs.realpathSync.native(g.hostPath);
      if (!fs.statSync(realPath).isDirectory()) throw new Error(`mount ${g.hostPath}: not a directory`);
      return { guestPath: path.posix.resolve(g.guestPath), realPath, readOnly: g.readOnly, pythonOnly: g.pythonOnly ?? false, alsoVisible: new Set(g.alsoVisible ?? []), pycache: (g.pycache ?? false) && g.readOnly };
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

  /**
   * In a pythonOnly mount (the project), what a task may read besides `.py`
   * files: package data, i.e. files under a directory below the root that
   * holds an `__init__.py` (the package, or a data directory inside it), with
   * no name on the way starting with `.`; and the mount's alsoVisible files.
   */
  visibleFile(m: MountPoint, real: string): boolean {
    if (!m.pythonOnly || real.endsWith('.py') || m.alsoVisible.has(real)) return true;
    return this.inPackage(m, path.dirname(real)) && !path.basename(real).startsWith('.');
  }

  /** In a pythonOnly mount, directories under a `.`-name (.capsule, .venv, .git) do not exist for the task. */
  visibleDir(m: MountPoint, dir: string): boolean {
    return !m.pythonOnly || dir === m.realPath || !path.relative(m.realPath, dir).split(path.sep).some((p) => p.startsWith('.'));
  }

  /** True when directory `dir` is a package or inside one (below m's root, no dot-names on the way). */
  inPackage(m: MountPoint, dir: string): boolean {
    if (dir === m.realPath || !within(m.realPath, dir)) return false;
    let known = this.packages.get(dir);
    if (known === undefined) {
      const parts = path.relative(m.realPath, dir).split(path.sep);
      known = !parts.some((p) => p.startsWith('.'))
        && parts.some((_, i) => fs.existsSync(path.join(m.realPath, ...parts.slice(0, i + 1), '__init__.py')));
      this.packages.set(dir, known);
    }
    return known;
  }

  private readonly packages = new Map<string, boolean>();

  /** True when `real` is a mount's root or a directory above one. */
  holdsMount(real: string): boolean {
    return this.mounts.some((m) => within(real, m.realPath));
  }
}
