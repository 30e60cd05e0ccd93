// The packages a project's tasks import from (its virtualenv, capsule.toml's
// python_path), as `capsule build` fingerprints and exports them: every file
// of each package mount, by guest path and content hash (bytecode caches left
// out: they are made from the sources).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { loadProjectConfig } from '../config/toml';
import { ConfigError } from '../engine/errors';
import { PythonPathError, resolvePythonPath, type PythonPath } from '../sandbox/python-path';
import type { SourceFile } from './fingerprint';

const MAX_FILES = 50_000;

/** Where the project's packages come from, as a run would find them (a bad setting is the run's configuration error). */
export function projectPython(projectRoot: string): PythonPath {
  const project = loadProjectConfig(projectRoot);
  try {
    return resolvePythonPath(projectRoot, { virtualEnv: process.env.VIRTUAL_ENV, pythonPath: project.defaults.pythonPath });
  } catch (e) {
    if (!(e instanceof PythonPathError)) throw e;
    throw new ConfigError([{ file: project.path ?? join(projectRoot, 'capsule.toml'), line: 0, column: 0, message: e.message }]);
  }
}

export interface PackageFile extends SourceFile { host: string }

/** Every file of the package mounts, as `/capsule/site-packages/yaml/__init__.py` and so on, in a stable order. */
export function packageFiles(python: PythonPath): PackageFile[] {
  const out: PackageFile[] = [];
  for (const m of python.mounts) {
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir).sort()) {
        if (name === '__pycache__') continue;
        const p = join(dir, name);
        let st;
        try {
          st = statSync(p);
        } catch {
          continue; // a dangling link
        }
        if (st.isDirectory()) walk(p);
        else if (st.isFile()) {
          if (out.length >= MAX_FILES) throw new Error(`more than ${MAX_FILES} package files under ${m.hostPath}`);
          const rel = relative(m.hostPath, p).split(sep).join('/');
          out.push({ path: `${m.guestPath}/${rel}`, host: p, sha256: createHash('sha256').update(readFileSync(p)).digest('hex') });
        }
      }
    };
    walk(m.hostPath);
  }
  return out;
}
