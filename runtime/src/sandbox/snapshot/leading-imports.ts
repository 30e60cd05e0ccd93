// Whether a task file's leading imports (after its docstring and comments,
// before its first other statement: what the snapshot run replays) load
// anything the sandbox's own snapshot does not already hold. Only then is a
// per-file import snapshot worth a snapshot run. Read without a parser: an
// unusual form counts as "worth it" (the run then finds out).
import { readFileSync } from 'node:fs';

/**
 * Modules already in the sandbox's snapshot (capsule._guest.PRELOAD and what
 * it pulls in; measured as sys.modules at a task's start). A stale entry only
 * skips or adds a snapshot run, never changes a result.
 */
const BASE = new Set(`__future__ abc ast asyncio atexit base64 binascii bisect builtins bz2 calendar capsule codecs
  collections collections.abc concurrent.futures contextlib contextvars copy copyreg csv dataclasses datetime decimal dis
  enum errno fnmatch fractions functools genericpath hashlib heapq inspect io ipaddress itertools json keyword linecache
  locale logging lzma marshal math numbers opcode operator os os.path pathlib platform posix posixpath random re reprlib
  runpy select selectors shutil signal socket stat statistics string struct subprocess sys tempfile textwrap threading
  time token tokenize traceback types typing urllib.parse urllib.request uuid warnings weakref zipimport zlib`.split(/\s+/));

/** The modules the leading import statements name (`import a.b` gives a.b; `from a import b` gives a), or null if the file cannot be read that simply. */
export function leadingImports(source: string): string[] | null {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const names: string[] = [];
  let i = 0;
  let docDone = false;
  while (i < lines.length) {
    let line = lines[i]!.trim();
    i++;
    if (line === '' || line.startsWith('#')) continue;
    if (!docDone && /^[rRuU]?("""|''')/.test(line)) {
      docDone = true;
      const quote = line.match(/("""|''')/)![1]!;
      let rest = line.slice(line.indexOf(quote) + 3);
      while (!rest.includes(quote)) {
        if (i >= lines.length) return null;
        rest = lines[i++]!;
      }
      continue;
    }
    docDone = true;
    // Joined continuation lines: a backslash, or an open parenthesis.
    while ((line.endsWith('\\') || (line.split('(').length > line.split(')').length)) && i < lines.length) {
      line = `${line.replace(/\\$/, '')} ${lines[i++]!.trim()}`;
    }
    line = line.replace(/#.*$/, '').trim();
    if (line.includes(';')) return null;
    let m = /^import\s+(.+)$/.exec(line);
    if (m) {
      for (const part of m[1]!.split(',')) {
        const name = /^\s*([A-Za-z_][\w.]*)(\s+as\s+\w+)?\s*$/.exec(part)?.[1];
        if (!name) return null;
        names.push(name);
      }
      continue;
    }
    m = /^from\s+([A-Za-z_][\w.]*)\s+import\s+/.exec(line);
    if (m) {
      names.push(m[1]!);
      continue;
    }
    if (/^from\s+\./.test(line)) return null;
    break;
  }
  return names;
}

/** True when a snapshot of this file's leading imports would hold something the sandbox's own does not. */
export function worthSnapshot(file: string): boolean {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  const names = leadingImports(source);
  return names === null || names.some((n) => !BASE.has(n) && !(n.startsWith('capsule.')));
}
