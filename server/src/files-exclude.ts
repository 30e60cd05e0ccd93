// VS Code's `files.exclude` globs, which the workspace index skips besides what
// runtime/src/discovery/project-files.ts skips for the CLI too (.gitignore files and
// folders that never hold a project's tasks). Matching is minimatch's, set to VS Code's
// glob rules: `*` and `?` stay within a folder and match dot-files, `**` crosses folders,
// `{a,b}` and `[!0-9]` work, a leading `!` or `#` is literal, patterns are trimmed, and a
// `{ "when": "$(basename).ts" }` value excludes a file only beside that sibling. Case is
// ignored on Windows and macOS and kept on Linux, as VS Code does.
import { Minimatch } from 'minimatch';

/** Whether a file of that name sits in the same folder as the path being matched. */
export type HasSibling = (name: string) => boolean;
/** `relPath` is relative to the workspace folder, with `/` separators. */
export type ExcludeMatcher = (relPath: string, isDir: boolean, hasSibling: HasSibling) => boolean;

const VSCODE_GLOB = { dot: true, nonegate: true, nocomment: true, noext: true, platform: 'linux' } as const;
const CASE_INSENSITIVE_FS = process.platform === 'win32' || process.platform === 'darwin';

interface Rule { glob: Minimatch; when?: string }

/**
 * `files.exclude` as VS Code sends it (glob -> true, false to switch a default off, or a
 * `when` clause), or the server's own `index.exclude` list of globs.
 */
export function excludeMatcher(exclude: Record<string, unknown> | string[] | undefined, ignoreCase = CASE_INSENSITIVE_FS): ExcludeMatcher {
  const entries: Array<[string, unknown]> = Array.isArray(exclude) ? exclude.map((g) => [g, true]) : Object.entries(exclude ?? {});
  const rules: Rule[] = [];
  for (const [pattern, value] of entries) {
    const glob = pattern.trim();
    if (value === false || !glob) continue;
    const when = typeof value === 'object' && value !== null && typeof (value as { when?: unknown }).when === 'string' ? (value as { when: string }).when : undefined;
    rules.push({ glob: new Minimatch(glob, { ...VSCODE_GLOB, nocase: ignoreCase }), ...(when === undefined ? {} : { when }) });
  }
  return (rel, isDir, hasSibling) => rules.some((r) => matches(r, rel, isDir) && (r.when === undefined || hasSibling(r.when.replace('$(basename)', stem(rel)))));
}

// VS Code's `foo/**` and `foo/` also match the folder foo itself, which minimatch's
// globstar does not: a folder is tried with a trailing slash too.
function matches(rule: Rule, rel: string, isDir: boolean): boolean {
  return rule.glob.match(rel) || (isDir && rule.glob.match(`${rel}/`));
}

/** The file's name without its last extension, as VS Code fills in `$(basename)`. */
function stem(rel: string): string {
  const name = rel.slice(rel.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}
