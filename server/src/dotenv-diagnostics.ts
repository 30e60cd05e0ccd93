// The project's .env as the runtime reads it (parseDotEnv, the same parser): each line it
// skips is a warning on that line, with the message `capsule run` prints after
// "<root>/.env:<line>: ". Its variable names also feed env_variables completions.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import { MAX_DOTENV_BYTES, parseDotEnv } from '../../runtime/src/capabilities/dotenv';
import { SOURCE } from './diagnostics';
import type { Value } from './completion';
import type { TaskInfo } from './protocol';

export const DOTENV = '.env';

export function isDotEnv(path: string | undefined): boolean {
  return path !== undefined && basename(path) === DOTENV;
}

export function dotEnvDiagnostics(text: string): Diagnostic[] {
  if (text.length > MAX_DOTENV_BYTES) {
    return [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: DiagnosticSeverity.Warning, source: SOURCE, message: `.env is ${text.length} bytes, over the ${MAX_DOTENV_BYTES} the runtime reads; a task that names env_variables cannot run` }];
  }
  const lines = text.split(/\r\n|\n|\r/);
  return parseDotEnv(text).warnings.map((w) => ({
    range: { start: { line: w.line - 1, character: 0 }, end: { line: w.line - 1, character: lines[w.line - 1]?.length ?? 0 } },
    severity: DiagnosticSeverity.Warning,
    source: SOURCE,
    message: w.message,
  }));
}

/** The .env on disk, or undefined when there is none (or it cannot be read). */
export function readDotEnv(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Hosts and variable names the project already has, for allowed_hosts=[...] and
 * env_variables=[...]: variables its .env sets (and hosts of URLs among their values),
 * and those other tasks of the workspace list.
 */
export function knownValues(param: 'allowed_hosts' | 'env_variables', dotEnv: string | undefined, tasks: TaskInfo[]): Value[] {
  const out = new Map<string, Value>();
  const env = dotEnv === undefined || dotEnv.length > MAX_DOTENV_BYTES ? {} : parseDotEnv(dotEnv).values;
  if (param === 'env_variables') {
    for (const name of Object.keys(env)) out.set(name, { label: name, detail: 'set in .env' });
    for (const t of tasks) for (const name of t.config?.envVariables ?? []) if (!out.has(name)) out.set(name, { label: name, detail: `used by task ${t.taskName}` });
  } else {
    for (const [name, value] of Object.entries(env)) {
      const host = hostOf(value);
      if (host && !out.has(host)) out.set(host, { label: host, detail: `from ${name} in .env` });
    }
    for (const t of tasks) for (const host of t.config?.allowedHosts ?? []) if (!out.has(host)) out.set(host, { label: host, detail: `allowed for task ${t.taskName}` });
  }
  return [...out.values()];
}

function hostOf(value: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return undefined;
  try {
    return new URL(value).hostname || undefined;
  } catch {
    return undefined;
  }
}
