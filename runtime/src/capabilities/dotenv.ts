// The project's `.env`, parsed strictly, one line at a time: a value never spans
// lines, so a stray quote cannot pull the following variables into it (Node's
// parseEnv let `GREETING="hello` swallow every line up to the next quote). A
// malformed line is skipped with a warning naming its line; the language server
// shows the same warnings (parseDotEnv is its entry point too).

export interface DotEnvWarning {
  /** 1-based. */
  line: number;
  message: string;
}

export interface DotEnv {
  values: Record<string, string>;
  warnings: DotEnvWarning[];
}

/** A bigger .env is refused: it is read into every run that names a variable. */
export const MAX_DOTENV_BYTES = 1024 * 1024;

const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

type LineResult = { key: string; value: string } | { warning: string } | null;

/** One line: `KEY=value`, `export KEY=value`, a comment or blank (null). */
export function parseDotEnvLine(raw: string): LineResult {
  const line = raw.replace(/^\uFEFF/, '').trim();
  if (line === '' || line.startsWith('#')) return null;
  const body = line.replace(/^export\s+/, '');
  const eq = body.indexOf('=');
  if (eq < 0) return { warning: 'expected KEY=value' };
  const key = body.slice(0, eq).trim();
  if (!KEY.test(key)) return { warning: `"${key.slice(0, 60)}" is not a valid variable name (letters, digits and _; not starting with a digit)` };
  const rest = body.slice(eq + 1).trimStart();
  const quote = rest[0];
  if (quote !== '"' && quote !== "'" && quote !== '`') {
    // Unquoted: up to an inline comment (" #"), trimmed.
    return { key, value: rest.replace(/\s+#.*$/, '').trimEnd() };
  }
  let value = '';
  let i = 1;
  for (; i < rest.length && rest[i] !== quote; i++) {
    const c = rest[i]!;
    if (quote === '"' && c === '\\' && i + 1 < rest.length) {
      const next = rest[++i]!;
      value += ESCAPES[next] ?? `\\${next}`;
    } else value += c;
  }
  if (i >= rest.length) return { warning: `unterminated ${quote === '"' ? 'double' : quote === "'" ? 'single' : 'back'} quote: a value must close its quote on the same line` };
  const after = rest.slice(i + 1).trim();
  if (after !== '' && !after.startsWith('#')) return { warning: `unexpected text after the closing quote: ${JSON.stringify(after.slice(0, 40))}` };
  return { key, value };
}

export function parseDotEnv(text: string): DotEnv {
  const values: Record<string, string> = {};
  const warnings: DotEnvWarning[] = [];
  const lines = text.split(/\r\n|\n|\r/);
  for (let n = 0; n < lines.length; n++) {
    const r = parseDotEnvLine(lines[n]!);
    if (r === null) continue;
    if ('warning' in r) warnings.push({ line: n + 1, message: `${r.warning}; the line is ignored` });
    else values[r.key] = r.value;
  }
  return { values, warnings };
}
