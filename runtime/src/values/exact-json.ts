// Values cross the sandbox boundary as JSON text, and stay exact on the way:
// a JS number cannot hold 2**64 or tell 3.0 from 3, so a number whose text JS
// would not print back the same way is kept as its text (ExactNumber), and a
// value the host only passes on (a sub-task's result) stays text (RawJson).
import { isLosslessNumber, LosslessNumber, parse as losslessParse } from 'lossless-json';

/**
 * The deepest nesting of lists and dicts a value may have to cross the boundary
 * (arguments, results, sub-task arguments and results). Half CPython's default
 * recursion limit of 1,000: json.loads in the guest recurses once per level,
 * so a value this deep still decodes for a task already deep in its own calls.
 * Both sides check it without recursing (the host scans the text; the guest
 * caps json.dumps' recursion), so a deeper value never overflows a stack.
 */
export const MAX_VALUE_DEPTH = 500;

/** A JSON number kept as its text. Native JSON.stringify gets the nearest double (toJSON); toExactJson prints the text. */
export class ExactNumber extends LosslessNumber {
  toJSON(): number {
    return Number(this.value);
  }
}

/**
 * Marks RawJson by a registered symbol, not by its class: the CLI and the queue backend
 * are separate bundles, each with its own copy of this module, and pass values to each other.
 */
const RAW_JSON = Symbol.for('capsule.RawJson');

/** JSON text that toExactJson splices in verbatim; made only from text scanJson accepted. */
export class RawJson {
  readonly [RAW_JSON] = true;
  private constructor(readonly text: string) {}
  /** Checks `text` (one JSON value, nested at most MAX_VALUE_DEPTH) and wraps it. */
  static of(text: string, where: string): RawJson {
    scanJson(text, where);
    return new RawJson(text);
  }
}

/** A value that cannot cross the boundary, or JSON text that is not one valid value. */
export class JsonValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonValueError';
  }
}

export function tooDeepMessage(where: string): string {
  return `${where} is nested too deeply: more than ${MAX_VALUE_DEPTH} levels of lists and dicts (values crossing the sandbox boundary may nest at most ${MAX_VALUE_DEPTH} levels)`;
}

export interface JsonFacts {
  /** Every number prints back the same from a JS number: JSON.parse loses nothing. */
  plainNumbers: boolean;
  /** The first number with a fraction or exponent too large for a double (Python reads it as inf), if any. */
  overflow: string | null;
}

const enum C {
  Tab = 9, Lf = 10, Cr = 13, Space = 32, Quote = 34, Plus = 43, Comma = 44, Minus = 45, Dot = 46, Slash = 47,
  D0 = 48, D1 = 49, D9 = 57, Colon = 58, UpperE = 69, OpenBracket = 91, Backslash = 92, CloseBracket = 93,
  LowerE = 101, OpenBrace = 123, CloseBrace = 125,
}

/**
 * Checks that `text` is exactly one JSON value nested at most MAX_VALUE_DEPTH
 * deep, in one pass and without recursion (so any text is safe to check).
 * Throws JsonValueError naming `where` and the position.
 */
export function scanJson(text: string, where: string): JsonFacts {
  const n = text.length;
  const stack = new Uint8Array(MAX_VALUE_DEPTH + 1); // 1: inside an object
  let depth = 0;
  let i = 0;
  let plainNumbers = true;
  let overflow: string | null = null;
  const fail = (what: string): never => {
    throw new JsonValueError(`${where}: not valid JSON: ${what} ${at(text, i)}`);
  };
  const ws = (): void => {
    for (let c = text.charCodeAt(i); c === C.Space || c === C.Lf || c === C.Cr || c === C.Tab; c = text.charCodeAt(++i));
  };
  const string = (): void => {
    i++; // the opening quote
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === C.Quote) return void i++;
      if (Number.isNaN(c)) fail('the text ends inside a string');
      if (c < 0x20) fail('a control character inside a string (it must be escaped)');
      if (c === C.Backslash) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('a bad \\u escape');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fail('a bad escape');
      } else i++;
    }
  };
  const digits = (): boolean => {
    const s = i;
    while (text.charCodeAt(i) >= C.D0 && text.charCodeAt(i) <= C.D9) i++;
    return i > s;
  };
  const number = (): void => {
    const s = i;
    if (text.charCodeAt(i) === C.Minus) i++;
    const first = text.charCodeAt(i);
    if (first === C.D0) i++;
    else if (!(first >= C.D1 && first <= C.D9) || !digits()) fail('a number without digits');
    let integer = true;
    if (text.charCodeAt(i) === C.Dot) {
      i++;
      integer = false;
      if (!digits()) fail('a number with no digits after its decimal point');
    }
    const e = text.charCodeAt(i);
    if (e === C.LowerE || e === C.UpperE) {
      i++;
      integer = false;
      const sign = text.charCodeAt(i);
      if (sign === C.Plus || sign === C.Minus) i++;
      if (!digits()) fail('a number with no digits in its exponent');
    }
    const token = text.slice(s, i);
    const asDouble = Number(token);
    if (String(asDouble) !== token) plainNumbers = false;
    if (!integer && !Number.isFinite(asDouble)) overflow ??= token;
  };
  const literal = (word: string): void => {
    if (!text.startsWith(word, i)) fail('an unexpected character');
    i += word.length;
  };
  const key = (): void => {
    ws();
    if (text.charCodeAt(i) !== C.Quote) fail('an object key must be a string');
    string();
    ws();
    if (text.charCodeAt(i) !== C.Colon) fail('expected ":" after an object key');
    i++;
  };

  for (;;) {
    // A value is expected here.
    ws();
    const c = text.charCodeAt(i);
    if (c === C.OpenBracket || c === C.OpenBrace) {
      if (depth === MAX_VALUE_DEPTH) throw new JsonValueError(tooDeepMessage(where));
      stack[++depth] = c === C.OpenBrace ? 1 : 0;
      i++;
      ws();
      const close = c === C.OpenBrace ? C.CloseBrace : C.CloseBracket;
      if (text.charCodeAt(i) === close) {
        i++;
        depth--;
      } else {
        if (c === C.OpenBrace) key();
        continue;
      }
    } else if (c === C.Quote) string();
    else if (c === C.Minus || (c >= C.D0 && c <= C.D9)) number();
    else if (c === 116) literal('true');
    else if (c === 102) literal('false');
    else if (c === 110) literal('null');
    else fail(Number.isNaN(c) ? 'the text ends where a value was expected' : 'an unexpected character');
    // After a value: a comma, the end of its container, or the end of the text.
    for (;;) {
      ws();
      if (depth === 0) {
        if (i < n) fail('unexpected text after the value');
        return { plainNumbers, overflow };
      }
      const d = text.charCodeAt(i);
      const inObject = stack[depth] === 1;
      if (d === C.Comma) {
        i++;
        if (inObject) key();
        break;
      }
      if (d === (inObject ? C.CloseBrace : C.CloseBracket)) {
        i++;
        depth--;
        continue;
      }
      fail(Number.isNaN(d) ? 'the text ends inside a list or object' : `expected "," or "${inObject ? '}' : ']'}"`);
    }
  }
}

function at(text: string, i: number): string {
  const before = text.slice(0, i);
  const line = before.split('\n').length;
  const column = i - before.lastIndexOf('\n');
  return text.includes('\n') ? `at line ${line} column ${column}` : `at position ${i + 1}`;
}

const parseNumber = (token: string): number | ExactNumber => (String(Number(token)) === token ? Number(token) : new ExactNumber(token));

/**
 * Parses JSON text exactly: numbers JS would print differently (2**64, 3.0,
 * 1e-07) come back as ExactNumber. Duplicate keys: the last wins (as in Python).
 */
export function parseExact(text: string, where = 'the value'): unknown {
  const facts = scanJson(text, where);
  if (facts.plainNumbers) return JSON.parse(text);
  return losslessParse(text, null, { parseNumber, onDuplicateKey: ({ newValue }) => newValue });
}

function describe(value: unknown): string {
  if (typeof value === 'number') return String(value); // NaN, Infinity, -Infinity
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  if (value === undefined) return 'undefined';
  const name = (value as object).constructor?.name;
  return name ? `a ${name}` : 'an object without a prototype';
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function child(where: string, key: string | number): string {
  return typeof key === 'number' ? `${where}[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? `${where}.${key}` : `${where}[${JSON.stringify(key)}]`;
}

/**
 * JSON text of a value, exact: ExactNumber and RawJson print as their text,
 * bigint as its digits. What JSON cannot carry (NaN, Infinity, undefined,
 * functions, Map/Set and other class instances without toJSON) and nesting past
 * MAX_VALUE_DEPTH throw JsonValueError naming where it was (`where` is the root's name).
 */
export function toExactJson(value: unknown, where: string, indent = 0): string {
  const pad = ' '.repeat(Math.min(10, Math.max(0, indent)));
  const out: string[] = [];
  const write = (v: unknown, path: string, depth: number, margin: string): void => {
    if (v === null || typeof v === 'boolean' || typeof v === 'string') return void out.push(JSON.stringify(v));
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new JsonValueError(`${path} is ${describe(v)}, which JSON cannot carry`);
      return void out.push(JSON.stringify(v));
    }
    if (typeof v === 'bigint') return void out.push(v.toString());
    if (typeof v !== 'object') throw new JsonValueError(`${path} is ${describe(v)}, which JSON cannot carry`);
    // By marks, not classes: a value may come from another bundle's copy of this module (see RAW_JSON).
    if ((v as { [RAW_JSON]?: boolean })[RAW_JSON] === true) return void out.push((v as RawJson).text);
    if (isLosslessNumber(v)) return void out.push((v as LosslessNumber).toString());
    if (!Array.isArray(v) && !isPlainObject(v)) {
      const toJSON = (v as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') return write(toJSON.call(v), path, depth, margin);
      throw new JsonValueError(`${path} is ${describe(v)}, which JSON cannot carry (use a list, a dict or a plain value)`);
    }
    if (depth === MAX_VALUE_DEPTH) throw new JsonValueError(tooDeepMessage(path));
    const inner = pad ? `${margin}${pad}` : '';
    const open = pad ? `\n${inner}` : '';
    const sep = pad ? `,\n${inner}` : ',';
    const close = pad ? `\n${margin}` : '';
    if (Array.isArray(v)) {
      if (v.length === 0) return void out.push('[]');
      out.push(`[${open}`);
      v.forEach((item, k) => {
        if (k > 0) out.push(sep);
        write(item, child(path, k), depth + 1, inner);
      });
      return void out.push(`${close}]`);
    }
    const entries = Object.entries(v);
    if (entries.length === 0) return void out.push('{}');
    out.push(`{${open}`);
    entries.forEach(([k, item], idx) => {
      if (idx > 0) out.push(sep);
      out.push(`${JSON.stringify(k)}:${pad ? ' ' : ''}`);
      write(item, child(path, k), depth + 1, inner);
    });
    out.push(`${close}}`);
  };
  write(value, where, 0, '');
  return out.join('');
}
