// Is a task's file readable as Python source at all? The verdict `python3 FILE`
// gives before it parses anything (PEP 263: UTF-8 unless a coding comment says
// otherwise; no NUL bytes), with the position of the first bad byte. The engine
// runs it before discovery (a UTF-16 file otherwise reads as "no @task"), and the
// language server can show the same problem. Syntax errors are CPython's own
// verdict, from the sandbox (capsule/_guest.py reports them at file:line:col).

export interface SourceProblemAt {
  /** 1-based; the column counts characters, as CPython's SyntaxError offsets do. */
  line: number;
  column: number;
  message: string;
}

const PEP_263 = 'see https://peps.python.org/pep-0263/ for details';
const COOKIE = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;

/** Index of the first byte that does not start a valid UTF-8 sequence (as CPython's strict decoder), or -1. */
export function firstInvalidUtf8(b: Uint8Array, from = 0): number {
  for (let i = from; i < b.length; ) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0; // overlong
      if (c === 0xed) hi = 0x9f; // surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return -1;
}

/** 1-based line and character column of byte `at`, reading the bytes before it as UTF-8. */
function position(b: Uint8Array, at: number, start: number): { line: number; column: number } {
  let lineStart = start;
  let line = 1;
  for (let i = start; i < at; i++) {
    if (b[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  const column = new TextDecoder().decode(b.subarray(lineStart, at)).length + 1;
  return { line, column };
}

/** The encoding a coding comment on line 1 or 2 declares, lower-cased, or null. */
export function declaredEncoding(b: Uint8Array, start = 0): string | null {
  let end = start;
  for (let lines = 0; end < b.length && lines < 2; end++) if (b[end] === 0x0a) lines++;
  const head = new TextDecoder('latin1').decode(b.subarray(start, end)).split('\n');
  for (const [i, text] of head.slice(0, 2).entries()) {
    const m = COOKIE.exec(text);
    if (m) return m[1]!.toLowerCase();
    // A coding comment counts on line 2 only after a line 1 that is blank or a comment.
    if (i === 0 && !/^[ \t\f]*(#.*)?\r?$/.test(text)) break;
  }
  return null;
}

const isUtf8 = (name: string): boolean => /^utf[-_]?8$/.test(name);

/**
 * The first problem python3 would refuse the file for before parsing it, or
 * null (a file in another declared encoding is left to CPython).
 */
export function checkSourceBytes(b: Uint8Array): SourceProblemAt | null {
  if ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff)) {
    const bom = b[0] === 0xff ? 'FF FE' : 'FE FF';
    const byte = `\\x${b[0]!.toString(16)}`;
    return { line: 1, column: 1, message: `Non-UTF-8 code starting with '${byte}': the file is UTF-16 (it starts with the byte-order mark ${bom}); Python source must be UTF-8: save it as UTF-8` };
  }
  const start = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  const nul = b.indexOf(0, start);
  if (nul >= 0) {
    const utf16 = b.length >= 4 && (b[1] === 0 || b[0] === 0) && b.filter((x) => x === 0).length * 3 >= b.length;
    return { ...position(b, nul, start), message: `source code cannot contain null bytes${utf16 ? ' (the file looks like UTF-16: save it as UTF-8)' : ''}` };
  }
  const declared = declaredEncoding(b, start);
  if (declared && !isUtf8(declared)) return null; // CPython decodes it, and says if it cannot
  const bad = firstInvalidUtf8(b, start);
  if (bad < 0) return null;
  const byte = `\\x${b[bad]!.toString(16).padStart(2, '0')}`;
  const why = declared ? 'although the file declares UTF-8' : `but no encoding declared; ${PEP_263}`;
  return { ...position(b, bad, start), message: `Non-UTF-8 code starting with '${byte}', ${why}` };
}

/** The file's text: UTF-8 (BOM dropped), or the declared encoding where Node knows it. */
export function decodeSource(b: Uint8Array): string {
  const start = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  const declared = declaredEncoding(b, start);
  if (declared && !isUtf8(declared)) {
    // Python's spellings ("latin-1", "iso_8859_15") to the labels TextDecoder knows.
    for (const label of [declared, declared.replace(/_/g, '-'), declared.replace(/[-_]/g, '')]) {
      try {
        return new TextDecoder(label).decode(b.subarray(start));
      } catch {
        // not a label Node knows; try the next spelling
      }
    }
    // An encoding Node does not know: the ASCII parts (decorators, names) still read.
  }
  return new TextDecoder().decode(b.subarray(start));
}
