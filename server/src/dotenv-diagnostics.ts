// The project's .env as the runtime reads it (parseDotEnv, the same parser): each line it
// skips is a warning on that line, with the message `capsule run` prints after
// "<root>/.env:<line>: ". Its variable names also feed env_variables completions
// (known-values.ts).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import { MAX_DOTENV_BYTES, parseDotEnv } from '../../runtime/src/capabilities/dotenv';
import { SOURCE } from './diagnostics';

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

/** The values a .env sets, as the runtime reads it (a file over its limit sets none). */
export function dotEnvValues(text: string | undefined): Record<string, string> {
  return text === undefined || text.length > MAX_DOTENV_BYTES ? {} : parseDotEnv(text).values;
}

/** The names a .env sets, as the runtime reads it. */
export function dotEnvNames(text: string | undefined): Set<string> {
  return new Set(Object.keys(dotEnvValues(text)));
}

/** The .env on disk, or undefined when there is none (or it cannot be read). */
export function readDotEnv(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
