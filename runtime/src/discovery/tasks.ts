// Finds capsule's @task functions in a parsed Python file. Which local names mean
// capsule's `task` comes from the file's bindings in order; a `task` bound to anything
// else is left alone.
import type { Node, Tree } from 'web-tree-sitter';
import { resolveTaskConfig, type ConfigProblem, type DecoratorArg, type Span, type TaskBase, type TaskConfig } from '../config/schema';
import { ModuleBindings, targetNames } from './bindings';
import type { TaskReuse } from './reuse';
import { argsOf, spanOf } from './values';

export interface DiscoveredTask {
  /** The task's name: `name=` when it is a literal, else the function's name. */
  name: string;
  functionName: string;
  isAsync: boolean;
  decoratorSpan: Span;
  /** The whole decorated definition, decorators and body. */
  span: Span;
  /** The function's name in its `def`. */
  nameSpan: Span;
  /** The `name=` value's span, when given (duplicates are flagged there). */
  taskNameSpan?: Span;
  /** Why the runtime cannot run it by name (inside a class, a function, an `if`): an error, and no lens. */
  unreachable?: string;
  args: DecoratorArg[];
  config: TaskConfig | null;
  problems: ConfigProblem[];
}

export interface DiscoverOptions { projectRoot?: string; taskDefaults?: TaskBase; maxRamBytes?: number }

/**
 * The capsule tasks of a parsed file. Pass the same `reuse` on every call for one
 * document to skip definitions that did not change since the last call.
 */
export function discoverInTree(tree: Tree, opts: DiscoverOptions = {}, reuse?: TaskReuse): DiscoveredTask[] {
  const text = tree.rootNode.text;
  const names = new ModuleBindings(() => text);
  const walk: Walk = { names, defs: [], text, known: reuse?.defNames ?? EMPTY, seen: new Map() };
  collect(tree.rootNode, walk, null);
  const topLevel = walk.defs.length;
  findNested(tree, walk.defs);
  const tasks: DiscoveredTask[] = [];
  reuse?.begin(names.key(), opts, walk.seen);
  // Rows by counting newlines between definitions, in order: each node's own position
  // is a call into the parser, and a 10,000-task file asked it 10,000 times per edit.
  let row = 0;
  let at = 0;
  walk.defs.forEach((d, i) => {
    if (!reuse) {
      const task = taskOf(d, names, tree, opts);
      if (task) tasks.push(task);
      return;
    }
    const def = d.node;
    const startIndex = def.startIndex;
    if (i < topLevel) {
      for (let nl = text.indexOf('\n', at); nl >= 0 && nl < startIndex; nl = text.indexOf('\n', nl + 1)) row++;
      at = startIndex;
    }
    const startRow = i < topLevel ? row : def.startPosition.row;
    const column = startIndex - (text.lastIndexOf('\n', startIndex - 1) + 1);
    // Where the def sits among the bindings decides which `task` its decorator means.
    const key = `${column}\0${d.place ?? ''}\0${d.src}`;
    let task = reuse.take(key, startIndex, startRow);
    if (task === undefined) {
      task = taskOf(d, names, tree, opts);
      if (!task || selfContained(task, def)) reuse.put(key, startIndex, startRow, task);
    }
    if (task) tasks.push(task);
  });
  reuse?.end();
  return tasks;
}

/** A decorated definition (its text), and why it is not reachable by name when it is not. */
interface Def { node: Node; place: string | null; src: string }

/**
 * One pass over the module. `known` maps a definition's text to its function's name
 * from the last pass, so an unchanged definition is not asked for it again.
 */
interface Walk { names: ModuleBindings; defs: Def[]; text: string; known: ReadonlyMap<string, string>; seen: Map<string, string> }

const EMPTY: ReadonlyMap<string, string> = new Map();

// Module-level statements, and those inside module-level blocks: where tasks and
// imports live. A task must be reachable by name before the file runs, so one under
// `if` or a loop is flagged, and function and class bodies are only searched by
// findNested. (A tree-sitter Query over the whole tree costs tens of ms.)
const ALWAYS_RUN = new Set(['try_statement', 'finally_clause', 'with_statement', 'block']);
const CONDITIONAL: Record<string, string> = {
  if_statement: 'an `if` block',
  elif_clause: 'an `elif` block',
  else_clause: 'an `else` block',
  except_clause: 'an `except` block',
  except_group_clause: 'an `except*` block',
  for_statement: 'a `for` loop',
  while_statement: 'a `while` loop',
};

function collect(parent: Node, walk: Walk, place: string | null): void {
  const { names, defs } = walk;
  for (const node of parent.namedChildren) {
    if (!node) continue;
    switch (node.type) {
      case 'decorated_definition': {
        const src = walk.text.slice(node.startIndex, node.endIndex);
        defs.push({ node, place, src });
        let name = walk.known.get(src);
        if (name === undefined) name = node.childForFieldName('definition')?.childForFieldName('name')?.text ?? '';
        walk.seen.set(src, name);
        if (name) names.add(name, 'other', node.startIndex);
        break;
      }
      case 'import_statement':
      case 'import_from_statement':
        readImport(node, names);
        break;
      case 'function_definition':
      case 'class_definition':
        bind(node, names);
        break;
      case 'expression_statement':
        readAssignment(node, names, place === null && parent.type === 'module');
        break;
      case 'for_statement':
        for (const n of targetNames(node.childForFieldName('left'))) names.add(n, 'other', node.startIndex);
        collect(node, walk, CONDITIONAL[node.type]!);
        break;
      case 'with_statement':
        // `with cm() as task:` rebinds the name; only the clause is searched, not the body.
        for (const clause of node.namedChildren) {
          if (clause?.type !== 'with_clause') continue;
          for (const item of clause.descendantsOfType('as_pattern_target')) for (const n of targetNames(item?.firstNamedChild ?? null)) names.add(n, 'other', node.startIndex);
        }
        collect(node, walk, place);
        break;
      default:
        if (CONDITIONAL[node.type]) collect(node, walk, CONDITIONAL[node.type]!); // the innermost block names the place
        else if (ALWAYS_RUN.has(node.type) || node.type === 'with_clause') collect(node, walk, place);
    }
  }
}

function readAssignment(stmt: Node, names: ModuleBindings, topLevel: boolean): void {
  const expr = stmt.firstNamedChild;
  if (expr?.type !== 'assignment' && expr?.type !== 'augmented_assignment') return;
  const left = expr.childForFieldName('left');
  const right = expr.childForFieldName('right');
  if (expr.type === 'assignment' && left?.type === 'identifier' && right && right.type !== 'assignment') {
    names.assign(left.text, right, stmt.startIndex, stmt.startPosition.row, topLevel);
    return;
  }
  for (const n of targetNames(left)) names.add(n, 'other', stmt.startIndex);
  // a = b = 1: every target is bound.
  for (let r = right; r?.type === 'assignment'; r = r.childForFieldName('right')) for (const n of targetNames(r.childForFieldName('left'))) names.add(n, 'other', stmt.startIndex);
}

/**
 * Decorators inside function and class bodies: the runtime cannot run those tasks by
 * name, and a bad one breaks the file when it loads. Found from the text (a line that
 * starts with `@` and mentions task), so files without any cost one regular expression.
 */
function findNested(tree: Tree, defs: Def[]): void {
  const text = tree.rootNode.text;
  const re = /^[ \t]+@[^\n]*task/gm;
  const known = new Set(defs.map((d) => d.node.startIndex));
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const at = m.index + m[0].indexOf('@');
    let n: Node | null = tree.rootNode.descendantForIndex(at);
    while (n && n.type !== 'decorated_definition') n = n.parent;
    if (!n || known.has(n.startIndex)) continue;
    known.add(n.startIndex);
    const scope = enclosingScope(n);
    if (scope) defs.push({ node: n, place: scope, src: text.slice(n.startIndex, n.endIndex) });
  }
}

function enclosingScope(n: Node): string | null {
  for (let p = n.parent; p; p = p.parent) {
    if (p.type === 'class_definition') return 'a class body';
    if (p.type === 'function_definition') return 'a function body';
  }
  return null;
}

function bind(def: Node | null, names: ModuleBindings): void {
  const name = def?.childForFieldName('name');
  if (name) names.add(name.text, 'other', def!.startIndex);
}

function readImport(node: Node, names: ModuleBindings): void {
  const at = node.startIndex;
  if (node.type === 'import_statement') {
    for (const c of node.namedChildren) {
      if (!c) continue;
      const mod = c.type === 'aliased_import' ? c.childForFieldName('name')?.text : c.text;
      const local = c.type === 'aliased_import' ? c.childForFieldName('alias')?.text : c.text.split('.')[0];
      if (local) names.add(local, mod === 'capsule' ? 'capsule-module' : 'other', at);
    }
    return;
  }
  const fromCapsule = node.childForFieldName('module_name')?.text === 'capsule';
  if (node.namedChildren.some((c) => c?.type === 'wildcard_import')) {
    names.add('*', fromCapsule ? 'star-capsule' : 'star-other', at);
    return;
  }
  for (const c of node.childrenForFieldName('name')) {
    if (!c) continue;
    const imported = c.type === 'aliased_import' ? c.childForFieldName('name')?.text : c.text;
    const local = c.type === 'aliased_import' ? c.childForFieldName('alias')?.text : c.text;
    if (local) names.add(local, fromCapsule && imported === 'task' ? 'capsule-task' : 'other', at);
  }
}

type Spelling = 'imported' | 'module' | 'unimported' | 'unimported-module';

/**
 * Is this decorator expression capsule's task (bare or called)? Only a name bound by
 * `from capsule import task` (or `import capsule`) is; a name bound otherwise, or
 * brought by another module's star import, is someone else's.
 */
function spellingOf(expr: Node, names: ModuleBindings, at: number): Spelling | null {
  if (expr.type === 'identifier') {
    const kind = names.at(expr.text, at);
    if (kind === 'capsule-task' || (kind === 'star-capsule' && expr.text === 'task')) return 'imported';
    if (kind === undefined && expr.text === 'task' && !names.bound('*')) return 'unimported';
    return null;
  }
  if (expr.type === 'attribute') {
    const obj = expr.childForFieldName('object');
    const attr = expr.childForFieldName('attribute');
    if (attr?.text !== 'task' || obj?.type !== 'identifier') return null;
    const kind = names.at(obj.text, at);
    if (kind === 'capsule-module') return 'module';
    if (kind === undefined && obj.text === 'capsule' && !names.bound('*')) return 'unimported-module';
  }
  return null;
}

function taskOf({ node: def, place }: Def, names: ModuleBindings, tree: Tree, opts: DiscoverOptions): DiscoveredTask | null {
  const fn = def.childForFieldName('definition');
  const ours: Array<{ deco: Node; call: Node | null; callee: Node; spelling: Spelling }> = [];
  for (const deco of def.namedChildren) {
    if (deco?.type !== 'decorator') continue;
    const expr = deco.namedChildren.find((c) => c !== null && c.type !== 'comment');
    if (!expr) continue;
    const call = expr.type === 'call' ? expr : null;
    const callee = call ? call.childForFieldName('function') : expr;
    const spelling = callee ? spellingOf(callee, names, def.startIndex) : null;
    if (spelling) ours.push({ deco, call, callee: callee!, spelling });
  }
  const first = ours[0];
  if (!first) return null;
  const { deco, call, callee, spelling } = first;
  const problems: ConfigProblem[] = [];
  if (fn?.type !== 'function_definition') {
    problems.push({ param: '', severity: 'error', message: '@task decorates functions only', span: spanOf(deco) });
  }
  if (place) {
    problems.push({
      param: '',
      severity: 'error',
      message: `@task is inside ${place}: the runtime finds tasks by name before it runs the file, so it cannot run this one${place.includes('if') ? ' (under `if __name__ == "__main__":` it never exists)' : ''}; define the task at the top level of the module`,
      span: spanOf(deco),
    });
  }
  for (const extra of ours.slice(1)) {
    problems.push({ param: '', severity: 'error', message: '@task is applied twice to this function; keep one decorator', span: spanOf(extra.deco), fixes: [{ title: 'Remove this @task', newText: '', span: lineSpan(tree, extra.deco) }] });
  }
  const nameNode = fn?.childForFieldName('name');
  const functionName = nameNode?.text ?? '';
  const argList = call?.childForFieldName('arguments');
  const constants = (name: string, index: number) => names.constant(name, index);
  const args = argList?.type === 'argument_list' ? argsOf(argList, constants) : [];
  const resolved = resolveTaskConfig({ functionName, args, ...pick(opts) });
  problems.push(...resolved.problems);
  if (spelling === 'unimported' || spelling === 'unimported-module') {
    const line = spelling === 'unimported' ? 'from capsule import task' : 'import capsule';
    problems.push({
      param: '',
      severity: 'error',
      message: `"${spelling === 'unimported' ? 'task' : 'capsule'}" is not imported; add "${line}"`,
      span: spanOf(spelling === 'unimported' ? callee : callee.childForFieldName('object')!),
      fixes: [{ title: `Add "${line}"`, newText: `${line}\n`, span: importInsertionPoint(tree) }],
    });
  }
  const nameArg = args.find((a) => a.name === 'name' && a.value.kind === 'string');
  return {
    name: nameArg && nameArg.value.kind === 'string' ? nameArg.value.value : functionName,
    functionName,
    isAsync: fn?.children.some((c) => c?.type === 'async') ?? false,
    decoratorSpan: spanOf(deco),
    span: spanOf(def),
    nameSpan: spanOf(nameNode ?? deco),
    ...(nameArg?.value.span ? { taskNameSpan: nameArg.value.span } : {}),
    ...(place ? { unreachable: place } : {}),
    args,
    config: problems.some((p) => p.severity === 'error') ? null : resolved.config,
    problems,
  };
}

/** Can the task be reused when only its definition moved? Not if anything points outside it. */
function selfContained(task: DiscoveredTask, def: Node): boolean {
  const inside = (s: Span | undefined) => !s || (s.startIndex >= def.startIndex && s.endIndex <= def.endIndex);
  if (task.args.some((a) => a.value.via)) return false;
  return task.problems.every((p) => inside(p.span) && (p.fixes ?? []).every((f) => inside(f.span)));
}

/** The decorator's whole line, with its newline, so that removing it leaves no blank line. */
function lineSpan(tree: Tree, deco: Node): Span {
  const text = tree.rootNode.text;
  const startIndex = deco.startIndex - deco.startPosition.column;
  const nl = text.indexOf('\n', deco.endIndex);
  const endIndex = nl < 0 ? text.length : nl + 1;
  return { startIndex, endIndex, start: { line: deco.startPosition.row, column: 0 }, end: nl < 0 ? { line: deco.endPosition.row, column: deco.endPosition.column } : { line: deco.endPosition.row + 1, column: 0 } };
}

function pick(opts: DiscoverOptions): Omit<DiscoverOptions, never> {
  const out: DiscoverOptions = {};
  if (opts.projectRoot !== undefined) out.projectRoot = opts.projectRoot;
  if (opts.taskDefaults !== undefined) out.taskDefaults = opts.taskDefaults;
  if (opts.maxRamBytes !== undefined) out.maxRamBytes = opts.maxRamBytes;
  return out;
}

/** After a module docstring and `from __future__` imports, where a new import may go. */
function importInsertionPoint(tree: Tree): Span {
  let line = 0;
  for (const c of tree.rootNode.namedChildren) {
    if (!c) continue;
    const isDoc = c.type === 'expression_statement' && c.namedChildren[0]?.type === 'string' && line === 0 && c.startPosition.row === tree.rootNode.namedChildren[0]?.startPosition.row;
    const isFuture = c.type === 'future_import_statement';
    if (c.type === 'comment' && c.startPosition.row === line && c.text.startsWith('#!')) {
      line = c.endPosition.row + 1;
      continue;
    }
    if (!isDoc && !isFuture) break;
    line = c.endPosition.row + 1;
  }
  const index = lineStartIndex(tree.rootNode.text, line);
  return { startIndex: index, endIndex: index, start: { line, column: 0 }, end: { line, column: 0 } };
}

function lineStartIndex(text: string, line: number): number {
  let idx = 0;
  for (let l = 0; l < line; l++) {
    const nl = text.indexOf('\n', idx);
    if (nl < 0) return text.length;
    idx = nl + 1;
  }
  return idx;
}
