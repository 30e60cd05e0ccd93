// Turns a task's allowed_files grants into sandbox mounts. Every grant must name
// a directory that, after resolving symlinks, is inside the project root.
import { realpathSync, statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { checkGrantPath, type FileGrant } from '../config/schema';
import { GUEST_PROJECT, type Mount } from '../sandbox/types';

export type { Mount };

export class GrantError extends Error {}

/** The mount for one grant; the grant is checked by the schema's one rule, at the moment of use. */
export function grantToMount(projectRoot: string, grant: FileGrant): Mount {
  const check = checkGrantPath(grant.path, projectRoot);
  if (!check.ok) throw new GrantError(check.error);
  const root = realpathSync(projectRoot);
  const rel = relative(root, resolve(root, grant.path)).split(sep).join('/');
  return {
    hostPath: realpathSync(resolve(root, grant.path)),
    guestPath: rel ? `${GUEST_PROJECT}/${rel}` : GUEST_PROJECT,
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
