// Finds capsule's @task functions in a parsed Python file. Which local names mean
// capsule's `task` comes from the file's bindings in order; a `task` bound to anything
// else is left alone.
import type { Node, Tree } from 'web-tree-sitter';
import { resolveTaskConfig, type ConfigProblem, type DecoratorArg, type Span, type TaskBase, type TaskConfig } from '../config/schema';
import { ModuleBindings, type BindingKind, type NameLookup } from './bindings';
import { collectStatements, importLine, leadOf, nestedDefs, type Lead, type StatementSink } from './statements';
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
 * The capsule tasks of a parsed file; `source` is the text it was parsed from (the root
 * node's text leaves out leading blank lines, so indices into it would be off). The
 * editor keeps results between edits instead: incremental.ts.
 */
export function discoverInTree(tree: Tree, source: string, opts: DiscoverOptions = {}): DiscoveredTask[] {
  const root = tree.rootNode;
  const text = source;
  const names = new ModuleBindings(() => text);
  const defs: Array<{ node: Node; place: string | null }> = [];
  const sink: StatementSink = {
    bind: (name, kind, index) => names.add(name, kind, index),
    assign: (name, value, index, row, topLevel) => names.assign(name, { text: value.text, node: () => value, start: value.startIndex }, index, row, topLevel),
    def: (node, place) => defs.push({ node, place }),
    walrus: text.includes(':='),
  };
  collectStatements(root, sink, null);
  nestedDefs(root, text, 0, text.length, new Set(defs.map((d) => d.node.startIndex)), (node, place) => defs.push({ node, place }));
  let point: Span | undefined;
  const ctx: TaskContext = { names, text, opts, importPoint: () => (point ??= importSpan(text, importLine(leads(root)))) };
  const tasks: DiscoveredTask[] = [];
  for (const d of defs) {
    const task = taskOf(d.node, d.place, ctx);
    if (task) tasks.push(task);
  }
  return tasks;
}

function* leads(root: Node): Iterable<{ lead: Lead; row: number; endRow: number }> {
  for (const c of root.namedChildren) if (c) yield { lead: leadOf(c), row: c.startPosition.row, endRow: c.endPosition.row };
}

/** What reading one decorated definition needs from the rest of the file. */
export interface TaskContext {
  names: NameLookup;
  /** The whole document's text (a tree may cover only part of it). */
  text: string;
  opts: DiscoverOptions;
  /** Where `from capsule import task` would go. */
  importPoint: () => Span;
}

type Spelling = 'imported' | 'module' | 'unimported' | 'unimported-module';

/**
 * Is this decorator expression capsule's task (bare or called)? Only a name bound by
 * `from capsule import task` (or `import capsule`) is; a name bound otherwise, or
 * brought by another module's star import, is someone else's.
 */
function spellingOf(expr: Node, names: NameLookup, at: number): Spelling | null {
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

/**
 * In a function or class body, the decorator's name may be that scope's own: a parameter
 * (`def outer(task):`), or a name its body binds. Then it is not the module's `task`.
 */
function boundInScope(def: Node, callee: Node): boolean {
  let root: Node | null = callee;
  while (root?.type === 'attribute') root = root.childForFieldName('object');
  if (root?.type !== 'identifier') return false;
  const name = root.text;
  for (let p = def.parent; p && p.type !== 'module'; p = p.parent) {
    if (p.type !== 'function_definition' && p.type !== 'class_definition') continue;
    const params = p.childForFieldName('parameters');
    if (params && params.descendantsOfType('identifier').some((i) => i?.text === name && !inDefault(i, params))) return true;
    const body = p.childForFieldName('body');
    const local: string[] = [];
    // `from capsule import task` inside the body is still capsule's (and flagged as unreachable).
    const bind = (n: string, k: BindingKind) => { if (k === 'other' || k === 'star-other') local.push(n); };
    if (body) collectStatements(body, { bind, assign: (n) => local.push(n), def: () => {}, walrus: false }, null);
    if (local.includes(name)) return true;
  }
  return false;
}

/** An identifier inside a parameter's default value or annotation, not a parameter's name. */
function inDefault(id: Node, params: Node): boolean {
  for (let p = id.parent; p && p.id !== params.id; p = p.parent) {
    if (p.type === 'default_parameter' || p.type === 'typed_default_parameter') return p.childForFieldName('name')?.id !== id.id;
    if (p.type === 'typed_parameter') {
      const type = p.childForFieldName('type');
      return type !== null && isWithin(id, type);
    }
  }
  return false;
}

function isWithin(n: Node, outer: Node): boolean {
  return n.startIndex >= outer.startIndex && n.endIndex <= outer.endIndex;
}

/** The task a decorated definition is, or null when no decorator is capsule's `task`. */
export function taskOf(def: Node, place: string | null, ctx: TaskContext): DiscoveredTask | null {
  const { names, text, opts } = ctx;
  const fn = def.childForFieldName('definition');
  const ours: Array<{ deco: Node; call: Node | null; callee: Node; spelling: Spelling }> = [];
  for (const deco of def.namedChildren) {
    if (deco?.type !== 'decorator') continue;
    const expr = deco.namedChildren.find((c) => c !== null && c.type !== 'comment');
    if (!expr) continue;
    const call = expr.type === 'call' ? expr : null;
    let callee = call ? call.childForFieldName('function') : expr;
    // `@(task)(...)` (any expression may decorate, PEP 614): the name inside the parentheses.
    while (callee?.type === 'parenthesized_expression' && callee.namedChildCount === 1) callee = callee.firstNamedChild;
    // Only a definition inside a function or class (a place) can have a scope of its own.
    const spelling = callee ? spellingOf(callee, names, def.startIndex) : null;
    if (spelling && !(place && boundInScope(def, callee!))) ours.push({ deco, call, callee: callee!, spelling });
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
    problems.push({ param: '', severity: 'error', message: '@task is applied twice to this function; keep one decorator', span: spanOf(extra.deco), fixes: [{ title: 'Remove this @task', newText: '', span: lineSpan(text, extra.deco) }] });
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
      fixes: [{ title: `Add "${line}"`, newText: `${line}\n`, span: ctx.importPoint() }],
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

/** The decorator's whole line, with its newline, so that removing it leaves no blank line. */
function lineSpan(text: string, deco: Node): Span {
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

/** The start of `line`, as an empty span (where a new import goes). */
export function importSpan(text: string, line: number): Span {
  const index = lineStartIndex(text, line);
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
