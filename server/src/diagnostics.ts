// Problems from the schema become LSP diagnostics at the offending value's exact range.
// Quick fixes, when the schema offers some, ride along in `data` for the code actions.
import { DiagnosticSeverity, type Diagnostic, type Range } from 'vscode-languageserver';
import type { ConfigProblem, Span } from '../../runtime/src/config/schema';
import type { TomlProblem } from '../../runtime/src/config/toml';
import type { DiscoveredTask, DuplicateProblem, TaskChange } from '../../runtime/src/discovery/index';

export const SOURCE = 'capsule';

/** The problem's quick fixes, best first, carried to the code actions. */
export interface FixData { fixes: Array<{ title: string; newText: string; range: Range }> }

export function rangeOf(span: Span): Range {
  return { start: { line: span.start.line, character: span.start.column }, end: { line: span.end.line, character: span.end.column } };
}

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, hint: DiagnosticSeverity.Hint } as const;

export function toDiagnostic(p: ConfigProblem, fallback: Span): Diagnostic {
  const range = rangeOf(p.span ?? fallback);
  const d: Diagnostic = { range, severity: SEVERITY[p.severity], source: SOURCE, message: p.message };
  if (p.param) d.code = p.param;
  if (p.fixes?.length) d.data = { fixes: p.fixes.map((f) => ({ title: f.title, newText: f.newText, range: f.span ? rangeOf(f.span) : range })) } satisfies FixData;
  return d;
}

/**
 * Diagnostics already made, by task (its problems) or by problem (duplicates, blocked
 * callers), with the line they were made at. A task kept between edits keeps its
 * problems, and its spans move with it (those outside it, a constant's value, do not:
 * the task is read again when they change), so while its first line is the same its
 * diagnostics are too.
 */
export type DiagnosticCache = WeakMap<object, { line: number; made: Array<{ d: Diagnostic; id: string }> }>;

/** Every task's problems, duplicate names and callers of broken tasks, each reported once. */
export function taskDiagnostics(tasks: DiscoveredTask[], duplicates: DuplicateProblem[], blocked: Map<DiscoveredTask, ConfigProblem> = new Map(), cache: DiagnosticCache = new WeakMap()): Diagnostic[] {
  const own = ownDiagnostics(tasks, cache);
  return own.made.concat(otherDiagnostics(duplicates, blocked, cache, own.ids)).map((m) => m.d);
}

type Made = { d: Diagnostic; id: string };

/**
 * A document's taskDiagnostics between keystrokes. A keystroke's pass says which tasks
 * it replaced (TaskChange); when their diagnostics are those of the tasks they replaced
 * and no other task moved, the tasks' part of the list is the last one, and when the
 * rest is the same too, the last list itself is handed back (a pulling client then
 * gets "unchanged" without a comparison of ~1,400 diagnostics).
 */
export class TaskDiagnostics {
  readonly cache: DiagnosticCache = new WeakMap();
  private last: { tasks: DiscoveredTask[]; own: { made: Made[]; ids: Set<string> }; other: Made[]; out: Diagnostic[] } | undefined;

  of(tasks: DiscoveredTask[], duplicates: DuplicateProblem[], blocked: Map<DiscoveredTask, ConfigProblem>, change: TaskChange | null): Diagnostic[] {
    const last = this.last;
    const kept = last && (last.tasks === tasks || (change?.before === last.tasks && !change.moved && sameMade(this.wasMade(change.removed), this.made(change.added))));
    const own = kept ? last.own : ownDiagnostics(tasks, this.cache);
    const other = otherDiagnostics(duplicates, blocked, this.cache, own.ids);
    const out = kept && sameMade(other, last.other) ? last.out : own.made.concat(other).map((m) => m.d);
    this.last = { tasks, own, other, out };
    return out;
  }

  /** What the last list holds for tasks now replaced (made when it was). */
  private wasMade(tasks: DiscoveredTask[]): Made[] {
    return tasks.flatMap((t) => (t.problems.length > 0 ? this.cache.get(t)?.made ?? [] : []));
  }

  private made(tasks: DiscoveredTask[]): Made[] {
    return tasks.flatMap((t) => (t.problems.length > 0 ? cached(this.cache, t, t.decoratorSpan.start.line, t.problems, t.decoratorSpan) : []));
  }
}

function sameMade(a: Made[], b: Made[]): boolean {
  return a.length === b.length && a.every((m, k) => m === b[k] || (m.id === b[k]!.id && JSON.stringify(m.d) === JSON.stringify(b[k]!.d)));
}

function cached(cache: DiagnosticCache, key: object, line: number, problems: ConfigProblem[], fallback: Span): Made[] {
  let hit = cache.get(key);
  if (hit?.line !== line) cache.set(key, (hit = { line, made: problems.map((p) => made(p, fallback)) }));
  return hit.made;
}

/** The tasks' own problems, in task order, each id once. */
function ownDiagnostics(tasks: DiscoveredTask[], cache: DiagnosticCache): { made: Made[]; ids: Set<string> } {
  const out: Made[] = [];
  const ids = new Set<string>();
  // Plain loops: this runs over every task of the file when an edit changed or moved diagnostics.
  for (let i = 0; i < tasks.length; i++) {
    const t = tasks[i]!;
    if (t.problems.length === 0) continue;
    for (const m of cached(cache, t, t.decoratorSpan.start.line, t.problems, t.decoratorSpan)) {
      if (ids.has(m.id)) continue;
      ids.add(m.id);
      out.push(m);
    }
  }
  return { made: out, ids };
}

/** Duplicate names, then blocked callers, each id once and not one of `own`. */
function otherDiagnostics(duplicates: DuplicateProblem[], blocked: Map<DiscoveredTask, ConfigProblem>, cache: DiagnosticCache, own: Set<string>): Made[] {
  const out: Made[] = [];
  const seen = new Set<string>();
  const emit = (made: Made[]) => {
    for (const m of made) {
      if (own.has(m.id) || seen.has(m.id)) continue;
      seen.add(m.id);
      out.push(m);
    }
  };
  for (const d of duplicates) emit(cached(cache, d.problem, (d.problem.span ?? d.task.nameSpan).start.line, [d.problem], d.task.nameSpan));
  for (const [t, p] of blocked) emit(cached(cache, p, (p.span ?? t.decoratorSpan).start.line, [p], t.decoratorSpan));
  return out;
}

function made(p: ConfigProblem, fallback: Span): Made {
  const d = toDiagnostic(p, fallback);
  return { d, id: `${d.range.start.line}:${d.range.start.character}:${d.range.end.line}:${d.range.end.character}:${d.message}` };
}

export function tomlDiagnostics(problems: TomlProblem[]): Diagnostic[] {
  return problems.map((p) => ({
    range: { start: { line: p.line - 1, character: p.column - 1 }, end: { line: p.line - 1, character: Math.max(p.endColumn, p.column) - 1 } },
    severity: p.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    source: SOURCE,
    message: p.message,
  }));
}
