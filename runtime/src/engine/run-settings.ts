// What a root run settles once from the project (disk budget, package path,
// .env), and how a config problem reads to a sub-task's caller. Split out of
// engine.ts: these read the project, not the engine's state.
import { isAbsolute, join, relative, sep } from 'node:path';
import { loadProjectConfig } from '../config/toml';
import { parseDisk } from '../config/units';
import { DEFAULT_DISK_BYTES, newDiskBudget, type DiskBudget } from '../sandbox/wasi/disk-quota';
import { PythonPathError, resolvePythonPath, type PythonPath } from '../sandbox/python-path';
import { DotEnvError } from '../capabilities/env';
import { ConfigError, formatProblem, type ConfigProblemAt } from './errors';
import type { RunScope } from './run-scope';

/**
 * What a root run decides once for its whole tree: the disk budget (capsule.toml's
 * [tasks] default_disk, or 1 GB; an invalid value already stopped the run) and
 * where packages come from (the virtualenv, [tasks] python_path): a virtualenv
 * for another Python, or a missing entry, is a config error before anything runs.
 */
export function runSettings(projectRoot: string): { disk: DiskBudget; python: PythonPath } {
  const project = loadProjectConfig(projectRoot);
  const written = project.defaults.disk;
  const parsed = written === undefined ? null : parseDisk(written);
  let python: PythonPath;
  try {
    python = resolvePythonPath(projectRoot, { virtualEnv: process.env.VIRTUAL_ENV, pythonPath: project.defaults.pythonPath });
  } catch (e) {
    if (!(e instanceof PythonPathError)) throw e;
    throw new ConfigError([{ file: project.path ?? join(projectRoot, 'capsule.toml'), line: 0, column: 0, message: e.message }]);
  }
  return { disk: newDiskBudget(parsed?.ok ? parsed.value : DEFAULT_DISK_BYTES), python };
}

/** A root that names env variables needs a readable .env of bounded size: a configuration error otherwise. */
export function checkDotEnv(projectRoot: string, run: RunScope): void {
  try {
    run.env();
  } catch (e) {
    if (e instanceof DotEnvError) throw new ConfigError([{ file: join(projectRoot, '.env'), line: 0, column: 0, message: e.message }]);
    throw e;
  }
}

/** A problem as a sub-task's caller sees it: paths relative to the project, never the host's. */
export function shownProblem(projectRoot: string, p: ConfigProblemAt): string {
  const rel = relative(projectRoot, p.file);
  const file = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : '<project file>';
  return formatProblem({ ...p, file }).split(projectRoot).join('<project>');
}
