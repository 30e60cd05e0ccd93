// VS Code's `files.exclude` globs, which the workspace index skips besides what
// runtime/src/discovery/project-files.ts skips for the CLI too (.gitignore files and
// folders that never hold a project's tasks).

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

/** `files.exclude` as VS Code sends it: glob -> true (or a `when` clause, treated as true). */
export function excludeMatcher(exclude: Record<string, unknown> | string[] | undefined): (relPath: string) => boolean {
  const globs = Array.isArray(exclude) ? exclude : Object.entries(exclude ?? {}).filter(([, on]) => on !== false).map(([g]) => g);
  const res = globs.map((g) => globToRegExp(g.replace(/^\.\//, '')));
  return (rel) => res.some((re) => re.test(rel));
}
