// What the agreement and quick-fix suites share: the CLI (`capsule run FILE --task NAME
// --json` through its own main() in this process), the server's verdict on one task,
// and a project laid out for the variants.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Diagnostic, Position, Range } from 'vscode-languageserver-protocol';
import { main } from '../../runtime/src/cli/cli';
import type { TestServer } from './client';
import { tempDir } from '../temp-dir';

export interface CliView { code: number; stderr: string; envelope?: { success: boolean; error?: { error_type: string; message: string } | null } }

/** A failed run whose cause is the configuration, which the editor should have flagged. */
export const CONFIG_FAILURE = /TaskConfigError|no task named|NameError|is reserved|SandboxSpecError/;

export async function cliRun(project: string, file: string, task: string): Promise<CliView> {
  let out = '';
  let err = '';
  const sink = (add: (s: string) => void) => new Writable({ write(chunk, _enc, cb) { add(String(chunk)); cb(); } });
  const code = await main(['run', file, '--task', task, '--json'], { out: sink((s) => (out += s)), err: sink((s) => (err += s)) }, project);
  return { code, stderr: err, ...(out.trim() ? { envelope: JSON.parse(out) } : {}) };
}

/** Runs `n` at a time, as that many terminals would (they share the trace). */
export async function inParallel<T, R>(items: T[], n: number, fn: (item: T) => Promise<R>): Promise<Map<T, R>> {
  const results = new Map<T, R>();
  const queue = [...items];
  await Promise.all(Array.from({ length: n }, async () => {
    for (let x = queue.shift(); x !== undefined; x = queue.shift()) results.set(x, await fn(x));
  }));
  return results;
}

/** A project with a capsule.toml and a data/ folder (allowed_files grants need one). */
export function variantProject(prefix: string): string {
  const project = tempDir(prefix);
  mkdirSync(join(project, 'data'));
  writeFileSync(join(project, 'data', 'file.txt'), 'x');
  writeFileSync(join(project, 'capsule.toml'), '[workflow]\nname = "agreement"\n');
  return project;
}

const atOrBefore = (a: Position, b: Position) => a.line < b.line || (a.line === b.line && a.character <= b.character);
const inside = (r: Range, outer: Range) => atOrBefore(outer.start, r.start) && atOrBefore(r.end, outer.end);

/**
 * The errors that concern `task`: a bad decorator on another task of the file does not
 * stop it (the CLI checks the task it runs and those it calls), so only errors in its
 * own definition count, and those in no task's.
 */
export async function errorsFor(server: TestServer, uri: string, task: string, diagnostics: Diagnostic[]): Promise<Diagnostic[] & { listed?: boolean }> {
  const symbols = (await server.rpc.sendRequest('textDocument/documentSymbol', { textDocument: { uri } })) as Array<{ name: string; range: Range }>;
  const own = symbols.filter((x) => x.name === task).map((x) => x.range);
  const relevant = (d: Diagnostic) => own.some((r) => inside(d.range, r)) || !symbols.some((x) => inside(d.range, x.range));
  // `listed`: the server has a runnable task of that name (one with a symbol and a lens).
  return Object.assign(diagnostics.filter((d) => d.severity === 1 && relevant(d)), { listed: own.length > 0 });
}
