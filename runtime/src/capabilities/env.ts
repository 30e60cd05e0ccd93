// A task's environment is exactly the variables its decorator names, taken from
// the project's .env first and then the host environment. Nothing else is visible.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';

export interface TaskEnv {
  env: Record<string, string>;
  /** Names the decorator asked for that neither .env nor the host defines. */
  missing: string[];
}

export function loadDotEnv(projectRoot: string): Record<string, string> {
  const file = join(projectRoot, '.env');
  if (!existsSync(file)) return {};
  const parsed = parseEnv(readFileSync(file, 'utf8'));
  return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

export function buildTaskEnv(names: readonly string[], projectRoot: string, hostEnv: NodeJS.ProcessEnv = process.env): TaskEnv {
  const dotEnv = loadDotEnv(projectRoot);
  const env: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of names) {
    // The .env file is loaded first, as in the reference; the host environment then wins.
    const value = hostEnv[name] ?? dotEnv[name];
    if (value === undefined) missing.push(name);
    else env[name] = value;
  }
  return { env, missing };
}
