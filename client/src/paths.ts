// Files as the trace records them (project-relative) and as the editor opens them.
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';

/** Trace rows may hold project-relative paths: the first workspace folder holding it. */
export function absoluteFile(file: string): string {
  if (isAbsolute(file)) return file;
  const folder = vscode.workspace.workspaceFolders?.find((f) => existsSync(join(f.uri.fsPath, file)));
  return folder ? join(folder.uri.fsPath, file) : file;
}

/** Is `recorded` (absolute, or relative to some project root) the file at `abs`? */
export function sameFile(abs: string, recorded: string): boolean {
  if (isAbsolute(recorded)) return abs === recorded;
  return abs === recorded || abs.endsWith(`/${recorded}`) || abs.endsWith(`\\${recorded.replace(/\//g, '\\')}`);
}
