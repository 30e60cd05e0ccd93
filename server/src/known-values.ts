// Hosts and variable names the project already has, for allowed_hosts=[...] and
// env_variables=[...]: variables its .env sets (and hosts of URLs among their values),
// and those other tasks of the workspace list. The task being edited is not one of
// them: what is typed under the cursor would be offered back as "used by" itself.
import { checkHostEntry } from '../../runtime/src/config/schema';
import type { Value } from './completion';
import type { TaskInfo } from './protocol';
import { dotEnvValues } from './dotenv-diagnostics';
import { envMeaning, hostMeaning } from './value-docs';

/** The task whose decorator holds the cursor: its document, and the line of its `def`. */
export interface Editing { uri: string; line: number }

export function knownValues(param: 'allowed_hosts' | 'env_variables', dotEnv: string | undefined, tasks: TaskInfo[], editing?: Editing): Value[] {
  const out = new Map<string, Value>();
  const env = dotEnvValues(dotEnv);
  const others = editing ? tasks.filter((t) => t.uri !== editing.uri || t.line !== editing.line) : tasks;
  if (param === 'env_variables') {
    for (const name of Object.keys(env)) out.set(name, { label: name, detail: 'set in .env', documentation: envMeaning(name, true) });
    for (const t of others) {
      for (const name of t.config?.envVariables ?? []) {
        if (!out.has(name)) out.set(name, { label: name, detail: `used by task ${t.taskName}`, documentation: envMeaning(name, false) });
      }
    }
  } else {
    // Only hosts the schema accepts: a URL's host name may be one it refuses ("under_score.example").
    const add = (host: string, detail: string) => {
      if (!out.has(host) && checkHostEntry(host).ok) out.set(host, { label: host, detail, documentation: hostMeaning(host) });
    };
    for (const [name, value] of Object.entries(env)) {
      const host = hostOf(value);
      if (host) add(host, `from ${name} in .env`);
    }
    for (const t of others) for (const host of t.config?.allowedHosts ?? []) add(host, `allowed for task ${t.taskName}`);
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
