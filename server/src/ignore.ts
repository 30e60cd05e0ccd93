// What the workspace index skips: VS Code's `files.exclude` globs and .gitignore files
// (each scoped to its own directory), plus folders that never hold a project's tasks.

export const ALWAYS_SKIPPED = new Set(['.git', 'node_modules', '.capsule', '__pycache__', '.venv', 'venv', 'site-packages', '.tox', '.mypy_cache']);

/** A glob as VS Code and git write them: `**` crosses folders, `*` and `?` do not. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const slash = glob[i + 2] === '/';
        re += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else {
        re += '[^/]*';
      }
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '{') {
      const end = glob.indexOf('}', i);
      if (end < 0) re += '\\{';
      else {
        re += `(?:${glob.slice(i + 1, end).split(',').map(escapeRe).join('|')})`;
        i = end;
      }
    } else {
      re += escapeRe(c);
    }
  }
  return new RegExp(`^${re}$`);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

interface Rule { re: RegExp; negate: boolean; dirOnly: boolean }

/** One .gitignore's rules, for paths relative to the folder that holds it. */
export class GitIgnore {
  private rules: Rule[] = [];

  constructor(text: string) {
    for (const raw of text.split(/\r?\n/)) {
      let line = raw.replace(/(?<!\\)\s+$/, '');
      if (!line || line.startsWith('#')) continue;
      const negate = line.startsWith('!');
      if (negate) line = line.slice(1);
      const dirOnly = line.endsWith('/');
      if (dirOnly) line = line.slice(0, -1);
      const anchored = line.includes('/');
      if (line.startsWith('/')) line = line.slice(1);
      this.rules.push({ re: globToRegExp(anchored ? line : `**/${line}`), negate, dirOnly });
    }
  }

  /** undefined when no rule speaks about the path. */
  ignores(relPath: string, isDir: boolean): boolean | undefined {
    let verdict: boolean | undefined;
    for (const r of this.rules) {
      if (r.dirOnly && !isDir) continue;
      if (r.re.test(relPath)) verdict = !r.negate;
    }
    return verdict;
  }
}

/** `files.exclude` as VS Code sends it: glob -> true (or a `when` clause, treated as true). */
export function excludeMatcher(exclude: Record<string, unknown> | string[] | undefined): (relPath: string) => boolean {
  const globs = Array.isArray(exclude) ? exclude : Object.entries(exclude ?? {}).filter(([, on]) => on !== false).map(([g]) => g);
  const res = globs.map((g) => globToRegExp(g.replace(/^\.\//, '')));
  return (rel) => res.some((re) => re.test(rel));
}
