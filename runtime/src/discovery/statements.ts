// One walk over a module's statements: the names they bind (in source order) and the
// decorated definitions they hold. Results go to a sink, so the whole-file discovery and
// the editor's per-statement cache (incremental.ts) read statements the same way.
import type { Node } from './parser';
import { targetNames, type BindingKind } from './bindings';

export interface StatementSink {
  bind(name: string, kind: BindingKind, index: number): void;
  /** `NAME = value`; `topLevel` when the statement sits directly in the module. */
  assign(name: string, value: Node, index: number, row: number, topLevel: boolean): void;
  /** A decorated definition, and why the runtime cannot reach it by name when it cannot. */
  def(node: Node, place: string | null): void;
  /**
   * The text read holds ":=" somewhere: only then are expressions searched for walrus
   * bindings (a node's .text copies it out of the tree: 739 KB per keystroke in topics.py).
   */
  readonly walrus: boolean;
}

// Module-level statements, and those inside module-level blocks: where tasks and
// imports live. A task must be reachable by name before the file runs, so one under
// `if` or a loop is flagged, and function and class bodies are only searched by
// nestedDefs. (A tree-sitter Query over the whole tree costs tens of ms.)
const ALWAYS_RUN = new Set(['try_statement', 'finally_clause', 'with_statement', 'block']);
const CONDITIONAL: Record<string, string> = {
  if_statement: 'an `if` block',
  elif_clause: 'an `elif` block',
  else_clause: 'an `else` block',
  except_clause: 'an `except` block',
  except_group_clause: 'an `except*` block',
  for_statement: 'a `for` loop',
  while_statement: 'a `while` loop',
  case_clause: 'a `match` case',
};

/** Every statement directly in `parent` (the module, or a block), in order. */
export function collectStatements(parent: Node, sink: StatementSink, place: string | null): void {
  for (const node of parent.namedChildren) if (node) collectStatement(node, parent.type === 'module', sink, place);
}

export function collectStatement(node: Node, inModule: boolean, sink: StatementSink, place: string | null): void {
  switch (node.type) {
    case 'decorated_definition': {
      sink.def(node, place);
      const name = node.childForFieldName('definition')?.childForFieldName('name')?.text;
      if (name) sink.bind(name, 'other', node.startIndex);
      break;
    }
    case 'import_statement':
    case 'import_from_statement':
      readImport(node, sink);
      break;
    case 'function_definition':
    case 'class_definition': {
      const name = node.childForFieldName('name');
      if (name) sink.bind(name.text, 'other', node.startIndex);
      break;
    }
    case 'expression_statement':
      readAssignment(node, sink, place === null && inModule);
      bindWalrus(node, sink, node.startIndex);
      break;
    case 'delete_statement':
      for (const t of node.namedChildren[0]?.type === 'expression_list' ? node.namedChildren[0].namedChildren : node.namedChildren) {
        if (t?.type === 'identifier') sink.bind(t.text, 'other', node.startIndex);
        else bindMutated(t, sink, node.startIndex);
      }
      break;
    case 'for_statement':
      for (const n of targetNames(node.childForFieldName('left'))) sink.bind(n, 'other', node.startIndex);
      bindWalrus(node.childForFieldName('right'), sink, node.startIndex);
      collectStatements(node, sink, CONDITIONAL[node.type]!);
      break;
    case 'try_statement': {
      // `try: from capsule import task` / `except ImportError: def task(f): ...` keeps a file
      // plain Python where capsule is not installed; in a sandbox the import succeeds, so
      // the fallback does not make `task` someone else's.
      const fromCapsule = new Set<string>();
      const body = node.childForFieldName('body');
      const tee: StatementSink = { ...sink, bind: (n, k, i) => { if (k === 'capsule-task' || k === 'capsule-module') fromCapsule.add(n); sink.bind(n, k, i); } };
      const fallback: StatementSink = {
        ...sink,
        bind: (n, k, i) => { if (!fromCapsule.has(n)) sink.bind(n, k, i); },
        assign: (n, v, i, r, t) => { if (!fromCapsule.has(n)) sink.assign(n, v, i, r, t); },
      };
      for (const c of node.namedChildren) {
        if (!c) continue;
        if (body && c.id === body.id) collectStatements(c, tee, place);
        else collectStatement(c, inModule, c.type === 'except_clause' && fromCapsule.size ? fallback : sink, place);
      }
      break;
    }
    case 'match_statement':
      // `case C:` binds C, as `except E as C:` does: the name is no constant after it.
      for (const c of node.namedChildren) {
        if (c?.type !== 'block') bindWalrus(c, sink, node.startIndex);
        else for (const clause of c.namedChildren) {
          if (clause?.type !== 'case_clause') continue;
          for (const p of clause.namedChildren) if (p?.type === 'case_pattern') for (const n of captureNames(p)) sink.bind(n, 'other', node.startIndex);
          collectStatements(clause, sink, CONDITIONAL.case_clause!);
        }
      }
      break;
    case 'if_statement':
    case 'elif_clause':
    case 'while_statement':
      bindWalrus(node.childForFieldName('condition'), sink, node.startIndex);
      collectStatements(node, sink, CONDITIONAL[node.type]!);
      break;
    case 'except_clause':
    case 'except_group_clause':
      // `except E as C:` binds C, and deletes it when the block ends.
      for (const c of node.namedChildren) {
        const target = c?.type === 'as_pattern' ? c.namedChildren.find((x) => x?.type === 'as_pattern_target') : undefined;
        for (const n of targetNames(target?.firstNamedChild ?? null)) sink.bind(n, 'other', node.startIndex);
      }
      collectStatements(node, sink, CONDITIONAL[node.type]!);
      break;
    case 'with_statement':
      // `with cm() as task:` rebinds the name; only the clause is searched, not the body.
      for (const clause of node.namedChildren) {
        if (clause?.type !== 'with_clause') continue;
        for (const item of clause.descendantsOfType('as_pattern_target')) for (const n of targetNames(item?.firstNamedChild ?? null)) sink.bind(n, 'other', node.startIndex);
      }
      collectStatements(node, sink, place);
      break;
    default:
      if (CONDITIONAL[node.type]) collectStatements(node, sink, CONDITIONAL[node.type]!); // the innermost block names the place
      else if (ALWAYS_RUN.has(node.type) || node.type === 'with_clause') collectStatements(node, sink, place);
  }
}

function readAssignment(stmt: Node, sink: StatementSink, topLevel: boolean): void {
  const expr = stmt.firstNamedChild;
  // `F.append(x)`, `CFG.update(...)`: F and CFG change in place.
  if (expr?.type === 'call') return void bindMutated(expr.childForFieldName('function'), sink, stmt.startIndex);
  if (expr?.type !== 'assignment' && expr?.type !== 'augmented_assignment') return;
  const left = expr.childForFieldName('left');
  for (let t = expr as Node | null; t?.type === 'assignment' || t?.type === 'augmented_assignment'; t = t.childForFieldName('right')) {
    for (const part of targetParts(t.childForFieldName('left'))) bindMutated(part, sink, stmt.startIndex);
  }
  const right = expr.childForFieldName('right');
  if (expr.type === 'assignment' && left?.type === 'identifier' && right && right.type !== 'assignment') {
    sink.assign(left.text, right, stmt.startIndex, stmt.startPosition.row, topLevel);
    return;
  }
  for (const n of targetNames(left)) sink.bind(n, 'other', stmt.startIndex);
  // a = b = 1: every target is bound.
  for (let r = right; r?.type === 'assignment'; r = r.childForFieldName('right')) for (const n of targetNames(r.childForFieldName('left'))) sink.bind(n, 'other', stmt.startIndex);
}

/** The subscripts and attributes among an assignment's targets (`F[0]`, `a.b` in `F[0], a.b = ...`). */
function targetParts(target: Node | null): Node[] {
  if (!target) return [];
  if (target.type === 'subscript' || target.type === 'attribute') return [target];
  if (['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list', 'parenthesized_expression', 'expression_list'].includes(target.type)) return target.namedChildren.flatMap((c) => targetParts(c));
  return [];
}

/** `F[0]`, `F.x.y`, `F.append`: F (the name at the root) is changed in place. */
function bindMutated(n: Node | null, sink: StatementSink, index: number): void {
  let root = n;
  while (root && (root.type === 'subscript' || root.type === 'attribute')) root = root.childForFieldName(root.type === 'subscript' ? 'value' : 'object');
  if (root?.type === 'identifier' && root !== n) sink.bind(root.text, 'mutated', index);
}

/** Names bound by `:=` in a module-level expression (not in a function, lambda or class it holds). */
function bindWalrus(n: Node | null, sink: StatementSink, index: number): void {
  if (!n || !sink.walrus) return;
  // tree-sitter's own walk finds them: a JavaScript walk of a 739 KB dict cost ~0.5 ms a keystroke.
  for (const w of n.descendantsOfType('named_expression')) {
    let scoped = false;
    for (let p = w?.parent; p && p.id !== n.id && !scoped; p = p.parent) scoped = p.type === 'lambda' || p.type === 'function_definition' || p.type === 'class_definition';
    const name = scoped ? null : w?.childForFieldName('name');
    if (name?.type === 'identifier') sink.bind(name.text, 'other', index);
  }
}

/** The names a case pattern may capture (a plain name, `as` targets, `*rest`, `**kw`); more is safe, none is not. */
function captureNames(p: Node): string[] {
  const out: string[] = [];
  const visit = (x: Node): void => {
    if (x.type === 'dotted_name') {
      if (x.namedChildCount === 1 && x.firstNamedChild?.type === 'identifier') out.push(x.firstNamedChild.text);
      return; // Color.RED is a value, not a capture
    }
    if (x.type === 'identifier') out.push(x.text);
    for (const c of x.namedChildren) if (c) visit(c);
  };
  visit(p);
  return out;
}

function readImport(node: Node, sink: StatementSink): void {
  const at = node.startIndex;
  if (node.type === 'import_statement') {
    for (const c of node.namedChildren) {
      if (!c) continue;
      const mod = c.type === 'aliased_import' ? c.childForFieldName('name')?.text : c.text;
      const local = c.type === 'aliased_import' ? c.childForFieldName('alias')?.text : c.text.split('.')[0];
      // `import capsule.http` binds capsule too; `import capsule.http as h` binds the submodule.
      const capsule = mod === 'capsule' || (c.type !== 'aliased_import' && local === 'capsule');
      if (local) sink.bind(local, capsule ? 'capsule-module' : 'other', at);
    }
    return;
  }
  const fromCapsule = node.childForFieldName('module_name')?.text === 'capsule';
  if (node.namedChildren.some((c) => c?.type === 'wildcard_import')) {
    sink.bind('*', fromCapsule ? 'star-capsule' : 'star-other', at);
    return;
  }
  for (const c of node.childrenForFieldName('name')) {
    if (!c) continue;
    const imported = c.type === 'aliased_import' ? c.childForFieldName('name')?.text : c.text;
    const local = c.type === 'aliased_import' ? c.childForFieldName('alias')?.text : c.text;
    if (local) sink.bind(local, fromCapsule && imported === 'task' ? 'capsule-task' : 'other', at);
  }
}

/**
 * Decorators inside function and class bodies between `from` and `to`: the runtime
 * cannot run those tasks by name, and a bad one breaks the file when it loads. Found
 * from the text (an indented line that starts with `@` and mentions task), so code
 * without any costs one regular expression. `known` holds definitions already found.
 */
export function nestedDefs(root: Node, text: string, from: number, to: number, known: Set<number>, found: (node: Node, place: string) => void): void {
  // On the slice, so a search for the next match never runs past `to`.
  const part = from === 0 && to >= text.length ? text : text.slice(from, to);
  const re = /^[ \t]+@[^\n]*task/gm;
  for (let m = re.exec(part); m; m = re.exec(part)) {
    const at = from + m.index + m[0].indexOf('@');
    let n: Node | null = root.descendantForIndex(at);
    while (n && n.type !== 'decorated_definition') n = n.parent;
    if (!n || known.has(n.startIndex)) continue;
    known.add(n.startIndex);
    const scope = enclosingScope(n);
    if (scope) found(n, scope);
  }
}

function enclosingScope(n: Node): string | null {
  for (let p = n.parent; p; p = p.parent) {
    if (p.type === 'class_definition') return 'a class body';
    if (p.type === 'function_definition') return 'a function body';
  }
  return null;
}

/** What a top-level statement means for where a new import goes (a string is a docstring when first). */
export type Lead = 'docstring' | 'future' | 'shebang' | null;

export function leadOf(node: Node): Lead {
  if (node.type === 'future_import_statement') return 'future';
  if (node.type === 'expression_statement' && node.namedChildren[0]?.type === 'string') return 'docstring';
  if (node.type === 'comment' && node.text.startsWith('#!')) return 'shebang';
  return null;
}

/**
 * The line after a module docstring, `from __future__` imports and a `#!` line, where a
 * new import may go; `leads` are the module's first statements, in order.
 */
export function importLine(leads: Iterable<{ lead: Lead; row: number; endRow: number }>): number {
  let line = 0;
  let first = true;
  for (const c of leads) {
    if (c.lead === 'shebang' && c.row === line) line = c.endRow + 1;
    else if ((c.lead === 'docstring' && first) || c.lead === 'future') line = c.endRow + 1;
    else break;
    first = false;
  }
  return line;
}
