// Which file `capsule run` runs, and in which project (config/project-root.ts, as the editor decides it).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findProjectRoot, projectRootFor } from '../config/project-root';
import { CAPSULE_TOML, loadProjectConfig } from '../config/toml';
import { ConfigError } from '../engine/errors';
import { UsageFailure } from './usage';

export { findProjectRoot } from '../config/project-root';

/** The file to run: the one given, else capsule.toml's [workflow] entrypoint. */
export function resolveEntry(fileArg: string | undefined, cwd: string): { file: string; projectRoot: string } {
  if (fileArg) {
    const file = resolve(cwd, fileArg);
    if (!existsSync(file)) throw new UsageFailure(`${fileArg}: no such file`);
    return { file, projectRoot: projectRootFor(file, [cwd]) };
  }
  const root = findProjectRoot(cwd);
  if (!root) throw new UsageFailure(`no file given and no ${CAPSULE_TOML} found in ${cwd} or above; run "capsule run FILE.py", or add [workflow] entrypoint to ${CAPSULE_TOML}`);
  const project = loadProjectConfig(root);
  const errors = project.problems.filter((p) => p.severity === 'error');
  if (errors.length) throw new ConfigError(errors.map((p) => ({ file: project.path ?? join(root, CAPSULE_TOML), line: p.line, column: p.column, message: p.message })));
  const entry = project.workflow?.entrypoint;
  if (!entry) throw new UsageFailure(`no file given, and ${join(root, CAPSULE_TOML)} has no [workflow] entrypoint; run "capsule run FILE.py" or set entrypoint = "main.py"`);
  const file = resolve(root, entry);
  if (!existsSync(file)) throw new UsageFailure(`${join(root, CAPSULE_TOML)}: entrypoint "${entry}" does not exist`);
  return { file, projectRoot: root };
}
