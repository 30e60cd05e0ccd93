// Turns a task's allowed_files grants into sandbox mounts. Every grant must name
// a directory that, after resolving symlinks, is inside the project root.
import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { FileGrant } from '../config/schema';

export interface Mount {
  hostPath: string;
  guestPath: string;
  readOnly: boolean;
}

/** The guest path where the project root appears; the task's cwd. */
export const GUEST_PROJECT_ROOT = '/project';

export class GrantError extends Error {}

function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && !rel.startsWith(`..${sep}`));
}

export function grantToMount(projectRoot: string, grant: FileGrant): Mount {
  if (isAbsolute(grant.path)) {
    throw new GrantError(`allowed_files: "${grant.path}" is absolute; give a directory relative to the project root`);
  }
  const root = realpathSync(projectRoot);
  const lexical = resolve(root, grant.path);
  if (!isInside(root, lexical)) {
    throw new GrantError(`allowed_files: "${grant.path}" is outside the project root ${root}`);
  }
  let real: string;
  try {
    real = realpathSync(lexical);
  } catch {
    throw new GrantError(`allowed_files: "${grant.path}" does not exist under ${root}`);
  }
  if (!isInside(root, real)) {
    throw new GrantError(`allowed_files: "${grant.path}" resolves to ${real}, outside the project root (a symlink leads out)`);
  }
  if (!statSync(real).isDirectory()) {
    throw new GrantError(`allowed_files: "${grant.path}" is not a directory; grants are directories`);
  }
  const rel = relative(root, lexical).split(sep).join('/');
  return {
    hostPath: real,
    guestPath: rel ? `${GUEST_PROJECT_ROOT}/${rel}` : GUEST_PROJECT_ROOT,
    readOnly: grant.mode === 'read-only',
  };
}

export function grantsToMounts(projectRoot: string, grants: readonly FileGrant[]): Mount[] {
  return grants.map((g) => grantToMount(projectRoot, g));
}

/** Parses the CLI's `--mount HOST::GUEST[:ro]`. */
export function parseMountFlag(flag: string, cwd: string): Mount {
  const m = /^(.+?)::(\/[^:]*)(?::(ro|rw))?$/.exec(flag);
  if (!m) throw new GrantError(`--mount "${flag}": expected HOST::GUEST[:ro], e.g. ./data::/data:ro`);
  const hostPath = resolve(cwd, m[1]!);
  let st;
  try {
    st = statSync(hostPath);
  } catch {
    throw new GrantError(`--mount "${flag}": host path ${hostPath} does not exist`);
  }
  if (!st.isDirectory()) throw new GrantError(`--mount "${flag}": host path ${hostPath} is not a directory`);
  return { hostPath: realpathSync(hostPath), guestPath: m[2]!.replace(/\/+$/, '') || '/', readOnly: m[3] === 'ro' };
}
