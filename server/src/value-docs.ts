// What a @task value means at run time, in a line or two of markdown: completion items
// and per-argument hovers say the same, from the runtime's own rules (hosts.ts,
// files.ts, retry-policy.ts, env.ts), so the editor cannot describe a value differently.
import { isIP } from 'node:net';
import { checkHostEntry, parseFileMode, type FileMode } from '../../runtime/src/config/schema';
import { grantToMount } from '../../runtime/src/capabilities/files';
import { RETRYABLE } from '../../runtime/src/engine/retry-policy';
import { ERROR_TYPES, type ErrorType } from '../../runtime/src/engine/types';

/** `code` in markdown (a backtick inside is never in a valid value; replaced to be safe). */
export const code = (s: string): string => `\`${s.replace(/`/g, "'")}\``;

/** An allowed_hosts entry: what a request's host must be to pass (hostAllowed). */
export function hostMeaning(entry: string): string {
  const check = checkHostEntry(entry);
  if (!check.ok) return `Matches no host: ${check.error}.`;
  if (entry === '*') return 'Allows every host: the task may call any server.';
  const name = entry.toLowerCase().replace(/\.$/, '');
  if (isIP(name.replace(/^\[|\]$/g, '')) !== 0) return `Allows the address ${code(name)} only (an IP address matches only itself).`;
  if (name.startsWith('*.')) {
    const base = name.slice(2);
    return `Allows hosts exactly one label below ${code(base)}, e.g. ${code(`api.${base}`)}; not ${code(base)} itself, nor ${code(`a.b.${base}`)}.`;
  }
  return `Allows ${code(name)} and its subdomains, e.g. ${code(`www.${name}`)}.`;
}

/** An env_variables name: where the task's value comes from (buildTaskEnv); never the value. */
export function envMeaning(name: string, inDotEnv: boolean): string {
  return inDotEnv
    ? `The project's \`.env\` sets it: the task gets ${code(name)} from there, or from the host environment when that sets it (the host wins).`
    : `The project's \`.env\` does not set it: the task gets ${code(name)} only when the host environment sets it; otherwise it is absent.`;
}

/** Each failure in words, to say which ones max_retries retries (retry-policy.ts decides). */
const FAILURE: Record<ErrorType, string> = {
  task_error: 'an exception',
  timeout: 'a timeout',
  wasm_error: 'a crash',
  out_of_fuel: 'running out of fuel',
  out_of_memory: 'running out of memory',
  permission_denied: 'a denied permission',
};

/** max_retries=n: how many attempts, and after which failures. */
export function retriesMeaning(n: number): string {
  if (n === 0) return 'No retry: the first failure is final (the default).';
  const retried = ERROR_TYPES.filter((t) => RETRYABLE.has(t)).map((t) => FAILURE[t]);
  const not = ERROR_TYPES.filter((t) => !RETRYABLE.has(t)).map((t) => FAILURE[t]);
  const more = n === 1 ? 'One more attempt' : `Up to ${n.toLocaleString('en-US')} more attempts`;
  return `${more} after a failure, each in a fresh sandbox: at most ${(n + 1).toLocaleString('en-US')} in all. Retried: ${retried.join(', ')}; not retried (it would fail the same way): ${not.join(', ')}.`;
}

/** durable=True/False: a run setting of the run's root task. */
export function durableMeaning(on: boolean): string {
  return on
    ? 'When a run with this task as its root is interrupted, the next run with the same arguments resumes it from its journal: completed sub-tasks and HTTP requests are not repeated. Overrides capsule.toml\'s `[workflow] durable`.'
    : 'Every run starts afresh, even after an interrupted one. Overrides capsule.toml\'s `[workflow] durable`.';
}

/** A mode spelling ("ro", "read-write", ...). */
export function modeMeaning(spelling: string): string {
  const m = parseFileMode(spelling);
  return m.ok ? modeWords(m.mode) : m.error;
}

function modeWords(mode: FileMode): string {
  return mode === 'read-only' ? 'read-only: the task can read the directory\'s files but not change them' : 'read-write: the task can read, create and change files in the directory';
}

/** An allowed_files grant: the directory it mounts in the sandbox, from where, and how (grantToMount). */
export function grantMeaning(path: string, mode: FileMode, projectRoot: string | undefined, { hostPath = true } = {}): string {
  if (projectRoot === undefined) return `${code(path)}, ${modeWords(mode)}; this file is in no project, so the directory cannot be resolved.`;
  try {
    const m = grantToMount(projectRoot, { path, mode });
    return `Mounted at ${code(m.guestPath)} in the sandbox, ${modeWords(mode)}.${hostPath ? `\n\nOn this machine: ${code(m.hostPath)}.` : ''}`;
  } catch (e) {
    return `Not mounted: ${e instanceof Error ? e.message : String(e)}.`;
  }
}
