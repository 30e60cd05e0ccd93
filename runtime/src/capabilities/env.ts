// A task's environment is exactly the variables its decorator names: the host's
// value when the host environment has one, else the project's .env value.
// Nothing else is visible.
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_DOTENV_BYTES, parseDotEnv, type DotEnv } from './dotenv';

export interface TaskEnv {
  env: Record<string, string>;
  /** Names the decorator asked for that neither .env nor the host defines. */
  missing: string[];
}

export class DotEnvError extends Error {}

/** Reads `<projectRoot>/.env` (none is empty); a file over MAX_DOTENV_BYTES is a DotEnvError, not read. */
export function loadDotEnv(projectRoot: string, maxBytes = MAX_DOTENV_BYTES): DotEnv {
  const file = join(projectRoot, '.env');
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { values: {}, warnings: [] };
    throw new DotEnvError(`cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new DotEnvError(`${file} is not a regular file`);
    if (st.size > maxBytes) {
      throw new DotEnvError(`${file} is ${(st.size / 1024 / 1024).toFixed(1)} MB; the limit is ${maxBytes / 1024 / 1024} MB. Keep only the variables tasks need in .env`);
    }
    const text = readFileSync(fd);
    if (text.length > maxBytes) throw new DotEnvError(`${file} grew past ${maxBytes / 1024 / 1024} MB while it was read`);
    return parseDotEnv(text.toString('utf8'));
  } finally {
    closeSync(fd);
  }
}

export function buildTaskEnv(names: readonly string[], dotEnv: Readonly<Record<string, string>>, hostEnv: NodeJS.ProcessEnv = process.env): TaskEnv {
  const env: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of names) {
    // The host environment wins: a variable set for one run overrides the project's .env.
    const value = hostEnv[name] ?? (Object.hasOwn(dotEnv, name) ? dotEnv[name] : undefined);
    if (value === undefined) missing.push(name);
    else env[name] = value;
  }
  return { env, missing };
}
