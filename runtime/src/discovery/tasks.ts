// Finds capsule's @task functions in a parsed Python file. Which local names mean
// capsule's `task` comes from the file's imports; a `task` bound to anything else is
// left alone.
import type { Node, Tree } from 'web-tree-sitter';
import { resolveTaskConfig, type ConfigProblem, type DecoratorArg, type Span, type TaskConfig, type TaskDefaults } from '../config/schema';
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
  args: DecoratorArg[];
  config: TaskConfig | null;
  problems: ConfigProblem[];
}

export interface DiscoverOptions { projectRoot?: string; defaults?: TaskDefaults; maxRamBytes?: number }

interface Names { task: Set<string>; module: Set<string>; other: Set<string> }

/**
 * The capsule tasks of a parsed file. Pass the same `reuse` on every call for one
 * document to skip definitions that did not change since the last call.
 */
export function discoverInTree(tree: Tree, opts: DiscoverOptions = {}, reuse?: TaskReuse): DiscoveredTask[] {
  const names: Names = { task: new Set(), module: new Set(), other: new Set() };
  const defs: Node[] = [];
  collect(tree.rootNode, names, defs);
  const tasks: DiscoveredTask[] = [];
  reuse?.begin([...names.task, '|', ...names.module, '|', ...names.other].join(','), opts);
  for (const def of defs) {
    if (!reuse) {
      const task = taskOf(def, names, tree, opts);
      if (task) tasks.push(task);
      continue;
    }
    const start = def.startPosition;
    const key = `${start.column}\0${def.text}`;
    let task = reuse.take(key, def.startIndex, start.row);
    if (task === undefined) {
      task = taskOf(def, names, tree, opts);
      // A missing import's fix points at the top of the file, which may move on its own.
      if (!task?.problems.some((p) => p.fix?.span && p.fix.span.startIndex < def.startIndex)) reuse.put(key, def.startIndex, start.row, task);
    }
    if (task) tasks.push(task);
  }
  reuse?.end();
  return tasks;
}

// Module-level statements, and those inside module-level if/try/with blocks: where
// tasks and imports live. Function and class bodies are not walked (a task must be
// reachable by name), and a tree-sitter Query over the whole tree costs tens of ms.
const BLOCKS = new Set(['if_statement', 'elif_clause', 'else_clause', 'try_statement', 'except_clause', 'except_group_clause', 'finally_clause', 'with_statement', 'block']);

function collect(parent: Node, names: Names, defs: Node[]): void {
  for (const node of parent.namedChildren) {
    if (!node) continue;
    switch (node.type) {
      case 'decorated_definition':
        defs.push(node);
        bind(node.childForFieldName('definition'), names);
        break;
      case 'import_statement':
      case 'import_from_statement':
        readImport(node, names);
        break;
      case 'function_definition':
      case 'class_definition':
        bind(node, names);
        break;
      case 'expression_statement': {
        const left = node.firstNamedChild?.type === 'assignment' ? node.firstNamedChild.childForFieldName('left') : null;
        if (left?.type === 'identifier') names.other.add(left.text);
        break;
      }
      default:
        if (BLOCKS.has(node.type)) collect(node, names, defs);
    }
  }
}

function bind(def: Node | null, names: Names): void {
  const name = def?.childForFieldName('name')?.text;
  if (name) names.other.add(name);
}

function readImport(node: Node, names: Names): void {
  if (node.type === 'import_statement') {
    for (const c of node.namedChildren) {
      if (!c) continue;
      const mod = c.type === 'aliased_import' ? c.childForFieldName('name')?.text : c.text;
      const local = c.type === 'aliased_import' ? c.childForFieldName('alias')?.text : c.text;
      if (mod === 'capsule' && local) names.module.add(local);
    }
    return;
  }
  const fromCapsule = node.childForFieldName('module_name')?.text === 'capsule';
  if (node.namedChildren.some((c) => c?.type === 'wildcard_import')) {
    if (fromCapsule) names.task.add('task');
    return;
  }
  for (const c of node.childrenForFieldName('name')) {
    if (!c) continue;
    const imported = c.type === 'aliased_import' ? c.childForFieldName('name')?.text : c.text;
    const local = c.type === 'aliased_import' ? c.childForFieldName('alias')?.text : c.text;
    if (!local) continue;
    (fromCapsule && imported === 'task' ? names.task : names.other).add(local);
  }
}

type Spelling = 'imported' | 'module' | 'unimported';

/** Is this decorator expression capsule's task (bare or called)? */
function spellingOf(expr: Node, names: Names): Spelling | null {
  if (expr.type === 'identifier') {
    if (names.task.has(expr.text)) return 'imported';
    if (expr.text === 'task' && !names.other.has('task')) return 'unimported';
    return null;
  }
  if (expr.type === 'attribute') {
    const obj = expr.childForFieldName('object');
    const attr = expr.childForFieldName('attribute');
    if (attr?.text !== 'task' || !obj) return null;
    if (obj.type === 'identifier' && (names.module.has(obj.text) || (obj.text === 'capsule' && !names.other.has('capsule')))) return 'module';
  }
  return null;
}

function taskOf(def: Node, names: Names, tree: Tree, opts: DiscoverOptions): DiscoveredTask | null {
  const fn = def.childForFieldName('definition');
  for (const deco of def.namedChildren) {
    if (deco?.type !== 'decorator') continue;
    const expr = deco.namedChildren.find((c) => c !== null && c.type !== 'comment');
    if (!expr) continue;
    const call = expr.type === 'call' ? expr : null;
    const callee = call ? call.childForFieldName('function') : expr;
    const spelling = callee ? spellingOf(callee, names) : null;
    if (!spelling) continue;
    const problems: ConfigProblem[] = [];
    if (fn?.type !== 'function_definition') {
      problems.push({ param: '', severity: 'error', message: '@task decorates functions only', span: spanOf(deco) });
    }
    const nameNode = fn?.childForFieldName('name');
    const functionName = nameNode?.text ?? '';
    const argList = call?.childForFieldName('arguments');
    const args = argList?.type === 'argument_list' ? argsOf(argList) : [];
    const resolved = resolveTaskConfig({ functionName, args, ...pick(opts) });
    problems.push(...resolved.problems);
    if (spelling === 'unimported') {
      problems.push({
        param: '',
        severity: 'error',
        message: '"task" is not imported; add "from capsule import task"',
        span: spanOf(callee!),
        fix: { title: 'Add "from capsule import task"', newText: 'from capsule import task\n', span: importInsertionPoint(tree) },
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
      args,
      config: problems.some((p) => p.severity === 'error') ? null : resolved.config,
      problems,
    };
  }
  return null;
}

function pick(opts: DiscoverOptions): Omit<DiscoverOptions, never> {
  const out: DiscoverOptions = {};
  if (opts.projectRoot !== undefined) out.projectRoot = opts.projectRoot;
  if (opts.defaults !== undefined) out.defaults = opts.defaults;
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
