// Which file a sub-task may come from. A sub-task's code and decorator come only
// from the project's code as it stood when the run started: never from a file
// under a writable grant (a task could have written it, in this run or an
// earlier one), never from one created or changed since the run started (its
// ctime, which no guest can set back, is later than the run's start). Every
// refusal reads the same, so `task.spawn` tells nothing about which project
// files exist; nothing in a refusal names a host path.
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { GUEST_PROJECT } from '../sandbox/types';

/** A spawn the engine refuses before anything runs (permission_denied). */
export class SpawnRefused extends Error {
  /** The file is not the run's code (as opposed to a limit): every such refusal reads the same. */
  notProjectCode = false;
}

interface Admitted { ctimeMs: number; ino: number; size: number; sha256: string }

export function refusal(file: string): SpawnRefused {
  const shown = JSON.stringify(file.length > 200 ? `${file.slice(0, 200)}...` : file);
  const e = new SpawnRefused(
    `task.spawn: ${shown} is not one of the project's task files as they stood when the run started; ` +
      'a sub-task runs only code from those (a file under a writable grant, or created or changed during the run, is refused)',
  );
  e.notProjectCode = true;
  return e;
}

/** `/project/a/b.py` or `a/b.py` as a project-relative path, or null if it cannot name a project file. */
export function guestFileToRelative(file: string): string | null {
  const rel = file.startsWith(`${GUEST_PROJECT}/`) ? file.slice(GUEST_PROJECT.length + 1) : file;
  if (!rel || rel.startsWith('/') || rel.includes('\\') || rel.includes('\0') || !rel.endsWith('.py')) return null;
  const parts = rel.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) return null;
  return rel;
}

export function isUnder(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** The code files one run has admitted, pinned to their content at first use. */
export class CodeAdmission {
  private readonly admitted = new Map<string, Admitted>();
  private readonly realRoot: string;

  constructor(
    projectRoot: string,
    /** ms since the epoch: a file whose ctime is later was created or changed during the run. */
    readonly startedAt: number,
  ) {
    this.realRoot = realpathSync(projectRoot);
  }

  /**
   * Checks `file` (as the guest named it) and returns it relative to the project
   * root; `writable` are the host directories that any task could write.
   * Throws SpawnRefused.
   */
  admit(file: string, writable: Iterable<string>): string {
    const rel = guestFileToRelative(file);
    if (rel === null) throw refusal(file);
    const abs = resolve(this.realRoot, rel);
    let real: string;
    let st;
    try {
      // No link on the way: the path the guest named is the file that runs.
      if (!lstatSync(abs).isFile()) throw refusal(file);
      real = realpathSync(abs);
      st = statSync(real);
    } catch {
      throw refusal(file);
    }
    if (real !== abs || !isUnder(real, this.realRoot) || st.ctimeMs > this.startedAt) throw refusal(file);
    for (const dir of writable) if (isUnder(real, dir)) throw refusal(file);
    const sha256 = createHash('sha256').update(readFileSync(real)).digest('hex');
    const seen = this.admitted.get(rel);
    if (seen && (seen.sha256 !== sha256 || seen.ino !== st.ino || seen.ctimeMs !== st.ctimeMs)) throw refusal(file);
    if (!seen) this.admitted.set(rel, { ctimeMs: st.ctimeMs, ino: st.ino, size: st.size, sha256 });
    return rel;
  }
}
