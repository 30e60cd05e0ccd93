// allowed_files: each grant is a directory inside the project, checked on disk when a
// project root is known (symlinks are resolved, so a link cannot lead out).
import { strip } from './spaces';
import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';

export type FileMode = 'read-only' | 'read-write';
export interface FileGrant { path: string; mode: FileMode }

const MODES: Record<string, FileMode> = { 'read-only': 'read-only', 'read-write': 'read-write', ro: 'read-only', rw: 'read-write' };
export const MODE_SPELLINGS = Object.keys(MODES);

export type ModeCheck = { ok: true; mode: FileMode } | { ok: false; error: string; fix?: string };

export function parseFileMode(v: string): ModeCheck {
  const mode = MODES[v];
  if (mode) return { ok: true, mode };
  const squashed = v.toLowerCase().replace(/[\s_]/g, '-');
  const guess = MODES[squashed] ?? (/^read-?only$|^readonly$|^r$/.test(squashed) ? 'read-only' : /^read-?write$|^readwrite$|^w$/.test(squashed) ? 'read-write' : undefined);
  return {
    ok: false,
    error: `allowed_files mode "${v}" is not one of "read-only", "read-write", "ro" or "rw"`,
    ...(guess ? { fix: guess } : {}),
  };
}

export type PathCheck = { ok: true } | { ok: false; error: string };

/** A grant's path: relative, inside the project (lexically and after symlinks), an existing directory. */
export function checkGrantPath(path: string, projectRoot?: string): PathCheck {
  if (strip(path) === '') return { ok: false, error: 'allowed_files entry is empty; write a directory relative to the project root, e.g. "data"' };
  if (isAbsolute(path) || /^[a-zA-Z]:[\\/]/.test(path)) {
    return { ok: false, error: `allowed_files entry "${path}" is absolute; write a directory relative to the project root` };
  }
  if (normalize(path.replace(/\\/g, '/')).replace(/\/+$/, '') === '.') return { ok: false, error: projectRootError(path) };
  if (projectRoot === undefined) return { ok: true };
  const root = resolve(projectRoot);
  const target = resolve(root, path);
  if (!inside(root, target)) return { ok: false, error: `allowed_files entry "${path}" is outside the project (${root})` };
  if (target === root) return { ok: false, error: projectRootError(path) };
  if (inside(join(root, '.capsule'), target)) return { ok: false, error: capsuleDirError(path) };
  let real: string;
  try {
    real = realpathSync(target);
  } catch {
    return { ok: false, error: `allowed_files entry "${path}" does not exist in the project (${root})` };
  }
  let realRoot = root;
  try {
    realRoot = realpathSync(root);
  } catch {
    /* root itself missing: the lexical check above is all we can do */
  }
  if (!inside(realRoot, real)) return { ok: false, error: `allowed_files entry "${path}" leads outside the project through a symbolic link (to ${real})` };
  if (real === realRoot) return { ok: false, error: projectRootError(path) };
  if (inside(join(realRoot, '.capsule'), real)) return { ok: false, error: capsuleDirError(path) };
  if (!statSync(real).isDirectory()) {
    return { ok: false, error: `allowed_files entry "${path}" is a file; grants are directories, e.g. the folder that holds it` };
  }
  return { ok: true };
}

/** The project root is mounted for every task (read-only, its Python files): it cannot also be a grant. */
function projectRootError(path: string): string {
  return `allowed_files entry "${path}" is the project root itself, which every task already sees read-only at /project and which cannot be granted; grant a folder inside it, e.g. "data"`;
}

/** .capsule/ holds the trace and the bytecode cache that tasks load code from: no task may write there. */
function capsuleDirError(path: string): string {
  return `allowed_files entry "${path}" is inside .capsule/, which holds Capsule's trace and bytecode cache and cannot be granted to a task`;
}

function inside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}
