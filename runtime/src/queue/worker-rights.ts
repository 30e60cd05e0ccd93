// What a job may do, decided on the worker from the shipped code alone: the task's
// decorator (read here with the same resolver as a local run) gives its limits and
// rights; a job whose claims differ from that reading is refused before anything runs,
// so a job forged straight into Redis gets no more than the decorator grants.
// allowed_files paths must exist on the worker: under its files root, or mapped
// with --mount PATH=DIR.
import { realpathSync, statSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import type { TaskConfig } from '../config/schema';
import { checkGrantPath } from '../config/schema';
import { ConfigError, formatProblem } from '../engine/errors';
import { defaultResolver, type ResolvedTask } from '../engine/task-resolver';
import type { Mount } from '../engine/sandbox-port';
import { GUEST_PROJECT } from '../sandbox/types';
import type { GrantClaim, JobData } from './protocol';

/** A refusal: the job's outcome is permission_denied with this message; nothing ran. */
export class JobRefused extends Error {}

export interface WorkerFiles {
  /** allowed_files paths resolve under this directory (the worker's --files-root, default its cwd). */
  root: string;
  /** --mount PATH=DIR: a grant's path (as the decorator writes it, normalised) -> a directory of the worker. */
  mounts: ReadonlyMap<string, string>;
}

/** A grant's path as written, normalised: `./data/` and `data` are one grant. */
export function grantKey(path: string): string {
  return posix.normalize(path.replace(/\\/g, '/')).replace(/\/+$/, '').replace(/^\.\//, '');
}

/** The task's config as the shipped code's decorator (and capsule.toml) gives it, and its decorator's alone (task-resolver.ts). */
export async function shippedConfig(codeDir: string, job: JobData): Promise<ResolvedTask> {
  const file = posix.normalize(job.file);
  if (file !== job.file || file.startsWith('/') || file.startsWith('../') || !file.endsWith('.py')) throw new JobRefused(`the job names the file ${JSON.stringify(job.file)}, which is not a Python file of the project`);
  try {
    return await defaultResolver(codeDir, null)(join(codeDir, file), job.task);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const problems = e.problems.map((p) => formatProblem({ ...p, file: p.file.startsWith(codeDir) ? p.file.slice(codeDir.length + 1) : p.file })).join('; ');
    throw new JobRefused(`the worker cannot run task "${job.task}" of ${job.file} from the shipped code: ${problems}`);
  }
}

/** Refuses a job whose claimed limits or rights are not exactly the decorator's. */
export function checkClaims(job: JobData, config: TaskConfig): void {
  const who = `task "${job.task}" of ${job.file}`;
  const refuse = (what: string): never => {
    throw new JobRefused(`refused: the job claims ${what}; the worker runs a task only with what its decorator in the shipped code grants`);
  };
  const fuel = job.claims.fuel ?? Infinity;
  if (fuel !== config.fuel) refuse(`fuel ${fuel}, but ${who} has ${config.fuel}`);
  if (job.claims.memoryLimitBytes !== config.memoryLimitBytes) refuse(`ram ${job.claims.memoryLimitBytes} bytes, but ${who} has ${config.memoryLimitBytes}`);
  const granted = new Set(config.envVariables);
  const extra = Object.keys(job.env).filter((n) => !granted.has(n));
  if (extra.length > 0) refuse(`the environment variable${extra.length > 1 ? 's' : ''} ${extra.join(', ')}, which ${who} does not grant (env_variables: ${config.envVariables.join(', ') || 'none'})`);
  const want = config.allowedFiles.map((g) => claimText({ path: grantKey(g.path), readOnly: g.mode === 'read-only' })).sort();
  const got = job.claims.grants.map((g) => claimText({ path: grantKey(g.path), readOnly: g.readOnly })).sort();
  if (want.join('\n') !== got.join('\n')) refuse(`the file grants [${got.join(', ')}], but ${who} grants [${want.join(', ')}]`);
}

function claimText(g: GrantClaim): string {
  return `${g.path}:${g.readOnly ? 'ro' : 'rw'}`;
}

/** The decorator's allowed_files as mounts of this worker's directories; a missing one is a clear refusal. */
export function grantMounts(config: TaskConfig, files: WorkerFiles, workerId: string, task: string): Mount[] {
  return config.allowedFiles.map((g) => {
    const key = grantKey(g.path);
    const mapped = files.mounts.get(key);
    const missing = (where: string, why: string): never => {
      throw new JobRefused(
        `allowed_files "${g.path}" of task "${task}" ${why} on worker ${workerId} (${where}); on a queue run, allowed_files must name a directory that exists on every worker: start the worker where it exists (--files-root) or map it (--mount ${key}=DIR)`,
      );
    };
    let host: string;
    if (mapped !== undefined) {
      try {
        host = realpathSync(mapped);
      } catch {
        return missing(`mapped to ${mapped}`, 'does not exist');
      }
      if (!statSync(host).isDirectory()) return missing(`mapped to ${mapped}`, 'is not a directory');
    } else {
      const check = checkGrantPath(g.path, files.root);
      if (!check.ok) return missing(`looked for ${resolve(files.root, key)}`, check.error.includes('does not exist') ? 'does not exist' : `is refused: ${check.error}`);
      host = realpathSync(resolve(files.root, key));
    }
    return { hostPath: host, guestPath: `${GUEST_PROJECT}/${key}`, readOnly: g.mode === 'read-only' };
  });
}
