// Turns a decorator's argument nodes into ArgValues: literals keep their value and span;
// a module-level constant's name, and `+` of literals, are read as the value they
// always have; anything else (a call, an f-string, a loop variable) becomes `dynamic`.
import type { ArgValue, DecoratorArg, Span } from '../config/schema';
import type { Node } from './parser';

export function spanOf(n: Node): Span {
  return {
    startIndex: n.startIndex,
    endIndex: n.endIndex,
    start: { line: n.startPosition.row, column: n.startPosition.column },
    end: { line: n.endPosition.row, column: n.endPosition.column },
  };
}

/** From the start of `a` to the start of `b`: an argument with the separator after it. */
function spanBetween(a: Node, aEdge: 'start' | 'end', b: Node, bEdge: 'start' | 'end'): Span {
  const from = aEdge === 'start' ? { i: a.startIndex, p: a.startPosition } : { i: a.endIndex, p: a.endPosition };
  const to = bEdge === 'start' ? { i: b.startIndex, p: b.startPosition } : { i: b.endIndex, p: b.endPosition };
  return { startIndex: from.i, endIndex: to.i, start: { line: from.p.row, column: from.p.column }, end: { line: to.p.row, column: to.p.column } };
}

/** A module-level constant's value node, if `name` is one where it is used (at `index`). */
export type ConstantLookup = (name: string, index: number) => { value: Node; index: number; line: number } | undefined;

const none: ConstantLookup = () => undefined;

export function argsOf(argumentList: Node, lookup: ConstantLookup = none): DecoratorArg[] {
  const all = argumentList.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment');
  // While typing `@task(compute=)`, tree-sitter reads `compute` then an error for "=":
  // that is a keyword without its value yet, not a positional argument.
  const typing = new Set<Node>();
  all.forEach((n, i) => {
    const next = all[i + 1];
    if (n.type === 'identifier' && next?.type === 'ERROR' && next.text.trim().startsWith('=')) typing.add(n);
  });
  const nodes = all.filter((n) => !(n.type === 'ERROR' && typing.has(all[all.indexOf(n) - 1]!)));
  return nodes.flatMap((n, i): DecoratorArg[] => {
    if (typing.has(n)) return [{ name: n.text, value: { kind: 'none', span: spanOf(n) }, span: spanOf(n), nameSpan: spanOf(n), incomplete: true }];
    const removeSpan = removalSpan(argumentList, nodes, i);
    if (n.type === 'keyword_argument') {
      const name = n.childForFieldName('name');
      const value = n.childForFieldName('value');
      return [{
        name: name?.text ?? '',
        value: value ? valueOf(value, lookup) : { kind: 'dynamic', text: '', span: spanOf(n) },
        span: spanOf(n),
        ...(name ? { nameSpan: spanOf(name) } : {}),
        removeSpan,
      }];
    }
    if (n.type === 'dictionary_splat') {
      // **CONFIG with a constant dict of string keys passes those keys; anything else cannot be seen.
      const inner = n.namedChildren.find((c) => c !== null && c.type !== 'comment');
      const dict = inner ? valueOf(inner, lookup) : undefined;
      if (dict?.kind === 'dict' && dict.via && dict.entries.every((e) => e.key.kind === 'string')) {
        return dict.entries.map((e) => ({ name: (e.key as { value: string }).value, value: { ...e.value, span: spanOf(n), via: dict.via! }, span: spanOf(n), removeSpan }));
      }
      return [{ name: '**', value: { kind: 'dynamic', text: n.text, span: spanOf(n) }, span: spanOf(n), removeSpan }];
    }
    if (n.type === 'list_splat') return [{ name: null, value: { kind: 'dynamic', text: n.text, span: spanOf(n) }, span: spanOf(n), removeSpan }];
    return [{ name: null, value: valueOf(n, lookup), span: spanOf(n), removeSpan }];
  });
}

/**
 * What "remove this argument" deletes: the argument and one separator, or, where the
 * argument fills its own lines, those lines (a comment on them goes with it). The only
 * argument empties the parentheses: `@task(x=1,)` must become `@task()`, never `@task(,)`.
 */
function removalSpan(list: Node, nodes: Node[], i: number): Span {
  const n = nodes[i]!;
  const next = nodes[i + 1];
  const prev = nodes[i - 1];
  const text = list.text;
  const at = (index: number) => index - list.startIndex;
  const rows = (c: Node) => c.startPosition.row >= n.startPosition.row && c.startPosition.row <= n.endPosition.row;
  const comments = list.namedChildren.filter((c): c is Node => c !== null && c.type === 'comment');
  if (!prev && !next && text.startsWith('(') && text.endsWith(')') && comments.every(rows)) {
    return {
      startIndex: list.startIndex + 1,
      endIndex: list.endIndex - 1,
      start: { line: list.startPosition.row, column: list.startPosition.column + 1 },
      end: { line: list.endPosition.row, column: list.endPosition.column - 1 },
    };
  }
  const lineStart = text.lastIndexOf('\n', at(n.startIndex) - 1) + 1;
  const nl = text.indexOf('\n', at(n.endIndex));
  // A following argument needs the comma to go with this line, or it would start with one.
  const rest = next ? /^[ \t]*,[ \t]*(#.*)?\r?$/ : /^[ \t]*,?[ \t]*(#.*)?\r?$/;
  if (lineStart > 0 && nl >= 0 && /^[ \t]*$/.test(text.slice(lineStart, at(n.startIndex))) && rest.test(text.slice(at(n.endIndex), nl))) {
    return {
      startIndex: list.startIndex + lineStart,
      endIndex: list.startIndex + nl + 1,
      start: { line: n.startPosition.row, column: 0 },
      end: { line: n.endPosition.row + 1, column: 0 },
    };
  }
  if (next) return spanBetween(n, 'start', next, 'start');
  if (prev) return spanBetween(prev, 'end', n, 'end');
  // The only argument, with comments of its own elsewhere in the parentheses: it and its comma.
  const comma = /^[ \t]*,[ \t]*/.exec(text.slice(at(n.endIndex)))?.[0].length ?? 0;
  const span = spanOf(n);
  return { ...span, endIndex: span.endIndex + comma, end: { line: span.end.line, column: span.end.column + comma } };
}

export function valueOf(n: Node, lookup: ConstantLookup = none): ArgValue {
  const span = spanOf(n);
  switch (n.type) {
    case 'identifier': {
      const c = lookup(n.text, n.startIndex);
      if (!c) return { kind: 'dynamic', text: n.text, span };
      // Constants may use constants assigned before them; the index bound, kept through
      // every level (`LIMIT = RAM` with `RAM = RAM` once recursed forever), rules out cycles.
      const v = valueOf(c.value, (name, at) => lookup(name, Math.min(at, c.index)));
      return v.kind === 'dynamic' ? { kind: 'dynamic', text: n.text, span } : { ...v, span, via: { name: n.text, line: c.line } };
    }
    case 'binary_operator': {
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      const a = left ? valueOf(left, lookup) : undefined;
      const b = right ? valueOf(right, lookup) : undefined;
      if (n.childForFieldName('operator')?.text === '+' && a && b) {
        if (a.kind === 'string' && b.kind === 'string') return { kind: 'string', value: a.value + b.value, span, quote: a.quote ?? '"' };
        if (a.kind === 'int' && b.kind === 'int') return { kind: 'int', value: a.value + b.value, span };
      }
      return { kind: 'dynamic', text: n.text, span };
    }
    case 'string':
      return stringOf(n) ?? { kind: 'dynamic', text: n.text, span };
    case 'concatenated_string': {
      const parts = n.namedChildren.filter((c): c is Node => c !== null && c.type === 'string').map(stringOf);
      if (parts.some((p) => p === null)) return { kind: 'dynamic', text: n.text, span };
      return { kind: 'string', value: parts.map((p) => p!.value).join(''), span, quote: parts[0]?.quote ?? '"' };
    }
    case 'integer': {
      const v = Number(n.text.replace(/_/g, '').replace(/^0+(?=\d)/, ''));
      // The literal is kept when a number cannot hold it exactly (over 2^53), for messages.
      return Number.isFinite(v) ? { kind: 'int', value: v, span, ...(Number.isSafeInteger(v) ? {} : { text: n.text }) } : { kind: 'dynamic', text: n.text, span };
    }
    case 'float': {
      const v = Number(n.text.replace(/_/g, ''));
      return Number.isFinite(v) ? { kind: 'float', value: v, span, text: n.text } : { kind: 'dynamic', text: n.text, span };
    }
    case 'unary_operator': {
      const op = n.childForFieldName('operator')?.text;
      const arg = n.childForFieldName('argument');
      const inner = arg ? valueOf(arg, lookup) : undefined;
      if ((op === '-' || op === '+') && inner && (inner.kind === 'int' || inner.kind === 'float')) {
        return { kind: inner.kind, value: op === '-' ? -inner.value : inner.value, span, text: n.text };
      }
      return { kind: 'dynamic', text: n.text, span };
    }
    case 'true':
    case 'false':
      return { kind: 'bool', value: n.type === 'true', span };
    case 'none':
      return { kind: 'none', span };
    case 'list':
    case 'tuple':
      return { kind: 'list', items: named(n).map((c) => (c.type === 'list_splat' ? { kind: 'dynamic', text: c.text, span: spanOf(c) } : valueOf(c, lookup))), span };
    case 'dictionary': {
      const entries: Array<{ key: ArgValue; value: ArgValue }> = [];
      for (const c of named(n)) {
        const key = c.childForFieldName('key');
        const value = c.childForFieldName('value');
        if (c.type !== 'pair' || !key || !value) return { kind: 'dynamic', text: n.text, span };
        entries.push({ key: valueOf(key, lookup), value: valueOf(value, lookup) });
      }
      return { kind: 'dict', entries, span };
    }
    case 'parenthesized_expression': {
      const inner = named(n)[0];
      return inner ? { ...valueOf(inner, lookup), span } : { kind: 'dynamic', text: n.text, span };
    }
    default:
      return { kind: 'dynamic', text: n.text, span };
  }
}

function named(n: Node): Node[] {
  return n.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment');
}

/** A plain or raw string literal; null for f-strings and bytes, which are not plain values. */
function stringOf(n: Node): { kind: 'string'; value: string; span: Span; quote: string } | null {
  const start = n.children.find((c) => c?.type === 'string_start');
  if (!start) return null;
  const prefix = start.text.replace(/["']+$/, '').toLowerCase();
  if (prefix.includes('f') || prefix.includes('b') || prefix.includes('t')) return null;
  if (n.namedChildren.some((c) => c?.type === 'interpolation')) return null;
  const raw = n.text.slice(start.text.length, n.text.length - start.text.length + prefix.length);
  // \N{NAME} needs Unicode's name table, which this reader does not have: not read, so not guessed.
  if (!prefix.includes('r') && /(^|[^\\])(\\\\)*\\N\{/.test(raw)) return null;
  const value = prefix.includes('r') ? raw : unescape(raw);
  return { kind: 'string', value, span: spanOf(n), quote: start.text.slice(prefix.length, prefix.length + 1) };
}

const SIMPLE: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '\n': '' };

function unescape(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|[\s\S])/g, (all, e: string) => {
    if (/^[0-7]/.test(e)) return String.fromCodePoint(parseInt(e, 8)); // \0, \61, \101: octal, as Python reads them
    if (e.length > 1) return String.fromCodePoint(parseInt(e.slice(1), 16));
    return SIMPLE[e] ?? all;
  });
}
