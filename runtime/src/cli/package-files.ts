// The packages a project's tasks import from (its virtualenv, capsule.toml's
// python_path), as `capsule build` fingerprints and exports them: every file
// of each package mount, by guest path and content hash (bytecode caches left
// out: they are made from the sources).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { loadProjectConfig } from '../config/toml';
import { ConfigError } from '../engine/errors';
import { PythonPathError, resolvePythonPath, type PythonPath } from '../sandbox/python-path';
import type { SourceFile } from './fingerprint';
import { walkFiles } from './walk-files';

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
    walkFiles(m.hostPath, (name) => name === '__pycache__', (p) => {
      if (out.length >= MAX_FILES) throw new Error(`more than ${MAX_FILES} package files under ${m.hostPath}`);
      const rel = relative(m.hostPath, p).split(sep).join('/');
      out.push({ path: `${m.guestPath}/${rel}`, host: p, sha256: createHash('sha256').update(readFileSync(p)).digest('hex') });
    });
  }
  return out;
}
