// Where a task's packages come from, after the project itself: the project's
// virtualenv (VIRTUAL_ENV, else `.venv/`, else `venv/` at the project root) and
// capsule.toml's `[tasks] python_path` (directories, or zip archives inside the
// project). Each directory is mounted read-only with all its files (package
// data included) under /capsule/; `sysPath` reaches the driver as
// spec.pythonPath, to append after the standard library as `site` would
// (`.pth` files honoured). The driver half waits for a sandbox rebuild
// (branch wip-fs-driver): until then a task appends /capsule/site-packages itself.
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { GUEST_PROJECT, SANDBOX_PYTHON, type Mount } from './types';

export const GUEST_SITE_PACKAGES = '/capsule/site-packages';
export const GUEST_PYTHON_PATH = '/capsule/path';

/** The python-path mounts: code, whose bytecode may come from the host's cache and whose imports a snapshot may hold. */
export function isPackageMount(guestPath: string): boolean {
  return guestPath === GUEST_SITE_PACKAGES || guestPath.startsWith(`${GUEST_PYTHON_PATH}/`);
}

const ARCHIVE = /\.(zip|pyz|egg|whl)$/i;

export interface PythonPath {
  /** Read-only mounts for the directories. */
  mounts: Mount[];
  /** Guest paths to append to sys.path, in order. */
  sysPath: string[];
  /** Archives inside the project, readable read-only there although they are not .py files. */
  projectFiles: string[];
}

export class PythonPathError extends Error {}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The venv's own Python version, from pyvenv.cfg (`version = 3.12.1` or `version_info = 3.12.1.final.0`). */
function venvVersion(venv: string): string | null {
  const cfg = join(venv, 'pyvenv.cfg');
  if (!existsSync(cfg)) return null;
  const m = /^\s*version(?:_info)?\s*=\s*(\d+\.\d+)/m.exec(readFileSync(cfg, 'utf8'));
  return m ? m[1]! : null;
}

/** site-packages of the virtualenv at `venv`, checked against the sandbox's Python. */
export function venvSitePackages(venv: string, shown: string): string {
  const lib = join(venv, 'lib');
  const found = isDir(lib) ? readdirSync(lib).filter((d) => /^python\d+\.\d+$/.test(d) && isDir(join(lib, d, 'site-packages'))) : [];
  const version = venvVersion(venv);
  const want = `python${SANDBOX_PYTHON}`;
  const fix = `recreate it with python${SANDBOX_PYTHON} -m venv ${shown}, or point [tasks] python_path in capsule.toml at a site-packages for ${SANDBOX_PYTHON}`;
  if (version && version !== SANDBOX_PYTHON) {
    throw new PythonPathError(`the virtualenv ${shown} is for Python ${version} (pyvenv.cfg), but tasks run on CPython ${SANDBOX_PYTHON}: its compiled files and version-specific packages would not match; ${fix}`);
  }
  if (!found.includes(want)) {
    const other = found.length ? `it has ${found.map((d) => `lib/${d}/site-packages`).join(', ')}` : 'it has no lib/python*/site-packages';
    throw new PythonPathError(`the virtualenv ${shown} has no lib/${want}/site-packages (${other}); tasks run on CPython ${SANDBOX_PYTHON}; ${fix}`);
  }
  return realpathSync(join(lib, want, 'site-packages'));
}

/** The project's virtualenv directory, or null: VIRTUAL_ENV, else .venv/, else venv/. */
export function findVenv(projectRoot: string, virtualEnv: string | undefined): { dir: string; shown: string } | null {
  if (virtualEnv) {
    if (!isDir(virtualEnv)) throw new PythonPathError(`VIRTUAL_ENV is ${virtualEnv}, which is not a directory; deactivate it or fix the path`);
    return { dir: virtualEnv, shown: `VIRTUAL_ENV=${virtualEnv}` };
  }
  for (const name of ['.venv', 'venv']) {
    const dir = join(projectRoot, name);
    if (isDir(dir) && (existsSync(join(dir, 'pyvenv.cfg')) || isDir(join(dir, 'lib')))) return { dir, shown: `${name}/` };
  }
  return null;
}

/** Absolute directories named by the site dir's .pth files (relative lines work in the guest as they are). */
function pthDirectories(site: string): string[] {
  const dirs: string[] = [];
  for (const name of readdirSync(site).filter((n) => n.endsWith('.pth')).sort()) {
    for (const line of readFileSync(join(site, name), 'utf8').split(/\r?\n/)) {
      const entry = line.trim();
      if (!isAbsolute(entry) || /^import[ \t]/.test(entry) || !isDir(entry)) continue;
      const real = realpathSync(entry);
      if (!dirs.includes(real)) dirs.push(real);
    }
  }
  return dirs;
}

export function resolvePythonPath(projectRoot: string, opts: { virtualEnv?: string; pythonPath?: readonly string[] } = {}): PythonPath {
  const out: PythonPath = { mounts: [], sysPath: [], projectFiles: [] };
  const root = realpathSync(projectRoot);
  const venv = findVenv(root, opts.virtualEnv);
  if (venv) {
    const site = venvSitePackages(venv.dir, venv.shown);
    out.mounts.push({ hostPath: site, guestPath: GUEST_SITE_PACKAGES, readOnly: true });
    out.sysPath.push(GUEST_SITE_PACKAGES);
    pthDirectories(site).forEach((dir, i) => {
      // A .pth line naming a host directory (an editable install): the same directory, seen from the guest.
      const rel = relative(root, dir);
      if (!rel.startsWith('..') && !isAbsolute(rel)) out.sysPath.push(rel ? `${GUEST_PROJECT}/${rel.split(sep).join('/')}` : GUEST_PROJECT);
      else {
        out.mounts.push({ hostPath: dir, guestPath: `${GUEST_PYTHON_PATH}/pth-${i}`, readOnly: true });
        out.sysPath.push(`${GUEST_PYTHON_PATH}/pth-${i}`);
      }
    });
  }
  (opts.pythonPath ?? []).forEach((entry, i) => {
    const where = `[tasks] python_path entry ${JSON.stringify(entry)}`;
    const abs = isAbsolute(entry) ? entry : resolve(root, entry);
    if (!existsSync(abs)) throw new PythonPathError(`${where}: ${abs} does not exist`);
    const real = realpathSync(abs);
    if (isDir(real)) {
      const guestPath = `${GUEST_PYTHON_PATH}/${i}`;
      out.mounts.push({ hostPath: real, guestPath, readOnly: true });
      out.sysPath.push(guestPath);
      return;
    }
    const rel = relative(root, real);
    if (!ARCHIVE.test(real)) throw new PythonPathError(`${where}: not a directory or a zip archive (.zip, .pyz, .egg, .whl)`);
    if (rel.startsWith('..') || isAbsolute(rel)) throw new PythonPathError(`${where}: a zip archive must be inside the project (${root})`);
    out.projectFiles.push(real);
    out.sysPath.push(`${GUEST_PROJECT}/${rel.split(sep).join('/')}`);
  });
  return out;
}
