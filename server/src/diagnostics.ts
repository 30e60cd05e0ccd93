// Problems from the schema become LSP diagnostics at the offending value's exact range.
// Quick fixes, when the schema offers some, ride along in `data` for the code actions.
import { DiagnosticSeverity, type Diagnostic, type DiagnosticRelatedInformation, type Range } from 'vscode-languageserver';
import type { ConfigProblem, Span } from '../../runtime/src/config/schema';
import type { TomlProblem } from '../../runtime/src/config/toml';
import type { DiscoveredTask, DuplicateProblem, TaskChange } from '../../runtime/src/discovery/index';
import { diagnosticJson, freezeDiagnostic } from './diagnostic-json';

export const SOURCE = 'capsule';

/** The problem's quick fixes, best first, carried to the code actions. */
export interface FixData { fixes: Array<{ title: string; newText: string; range: Range }> }

export function rangeOf(span: Span): Range {
  return { start: { line: span.start.line, character: span.start.column }, end: { line: span.end.line, character: span.end.column } };
}

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, hint: DiagnosticSeverity.Hint } as const;

export function toDiagnostic(p: ConfigProblem, fallback: Span, related?: DiagnosticRelatedInformation[]): Diagnostic {
  const range = rangeOf(p.span ?? fallback);
  const d: Diagnostic = { range, severity: SEVERITY[p.severity], source: SOURCE, message: p.message };
  if (p.param) d.code = p.param;
  if (related?.length) d.relatedInformation = related;
  if (p.fixes?.length) d.data = { fixes: p.fixes.map((f) => ({ title: f.title, newText: f.newText, range: f.span ? rangeOf(f.span) : range })) } satisfies FixData;
  // Kept across keystrokes and sent on each: frozen, so its JSON is written once.
  return freezeDiagnostic(d);
}

/** A duplicate name, with the other definitions it names as related information (when the client shows it). */
export type Duplicate = DuplicateProblem & { related?: DiagnosticRelatedInformation[] };

/**
 * The other definitions the message names, at most MAX_LISTED_SITES of them as it does:
 * 2,000 tasks of one name make 2,000 diagnostics, each of which must stay small.
 * `uri` undefined: the client does not show related information, none is made.
 */
export function withRelated(duplicates: DuplicateProblem[], uri: string | undefined): Duplicate[] {
  if (uri === undefined) return duplicates;
  return duplicates.map((d) => ({
    ...d,
    related: d.others.map((s) => ({ location: { uri, range: rangeOf(s.task.taskNameSpan ?? s.task.nameSpan) }, message: `task "${d.task.name}" is also defined here` })),
  }));
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
export function taskDiagnostics(tasks: DiscoveredTask[], duplicates: Duplicate[], blocked: Map<DiscoveredTask, ConfigProblem> = new Map(), cache: DiagnosticCache = new WeakMap()): Diagnostic[] {
  const own = ownDiagnostics(tasks, cache);
  return own.made.concat(otherDiagnostics(duplicates, blocked, cache, own.ids)).map((m) => m.d);
}

/** A diagnostic and its id: its JSON (the same diagnostic twice, a constant's problem read by two tasks, is listed once). */
type Made = { d: Diagnostic; id: string };
/** The tasks' own diagnostics: each with the index of its task in the list, ids seen, ids left out as seen. */
interface Own { made: Made[]; at: number[]; ids: Set<string>; skipped: number }

/**
 * A document's taskDiagnostics between keystrokes. A keystroke's pass says which tasks
 * it replaced (TaskChange); when no other task moved, the tasks' part of the list is the
 * last one with the replaced tasks' diagnostics swapped (or the last one itself, when
 * those are the same), and when the rest is the same too, the last list itself is handed
 * back (a pulling client then gets "unchanged" without comparing ~1,400 diagnostics).
 */
export class TaskDiagnostics {
  readonly cache: DiagnosticCache = new WeakMap();
  /** How the tasks' part was made: the last one kept, patched, or read from every task (the tests check each happens). */
  readonly stats = { kept: 0, patched: 0, whole: 0 };
  private last: { tasks: DiscoveredTask[]; own: Own; other: Made[]; out: Diagnostic[] } | undefined;

  of(tasks: DiscoveredTask[], duplicates: Duplicate[], blocked: Map<DiscoveredTask, ConfigProblem>, change: TaskChange | null): Diagnostic[] {
    const last = this.last;
    let own: Own | undefined;
    let kept = false;
    if (last?.tasks === tasks) [own, kept] = [last.own, true];
    else if (last && change?.before === last.tasks && !change.moved) {
      const added = change.added.map((t) => this.madeOf(t));
      const same = sameMade(change.removed.flatMap((t) => this.wasMade(t)), added.flat());
      // The same diagnostics at the same indices: the last part as it is; else its indices move.
      if (same && sameNumbers(change.removedAt, change.addedAt)) own = last.own;
      else own = patched(last.own, change, added);
      kept = same && own !== undefined;
    }
    if (own) this.stats[kept ? 'kept' : 'patched']++;
    else this.stats.whole++;
    own ??= ownDiagnostics(tasks, this.cache);
    const other = otherDiagnostics(duplicates, blocked, this.cache, own.ids);
    const out = kept && sameMade(other, last!.other) ? last!.out : own.made.concat(other).map((m) => m.d);
    this.last = { tasks, own, other, out };
    return out;
  }

  /** What the last list holds for a task now replaced (made when it was). */
  private wasMade(t: DiscoveredTask): Made[] {
    return t.problems.length > 0 ? this.cache.get(t)?.made ?? [] : [];
  }

  private madeOf(t: DiscoveredTask): Made[] {
    return t.problems.length > 0 ? cached(this.cache, t, t.decoratorSpan.start.line, t.problems, t.decoratorSpan) : [];
  }
}

/**
 * The last tasks' part with the replaced tasks' diagnostics swapped for the new ones',
 * in task order; undefined when an id repeats (first seen wins: read the whole list).
 */
function patched(last: Own, change: TaskChange, added: Made[][]): Own | undefined {
  if (last.skipped > 0) return undefined;
  const { removedAt, addedAt } = change;
  const gone = new Set(removedAt);
  const ids = new Set(last.ids);
  for (let k = 0; k < last.made.length; k++) if (gone.has(last.at[k]!)) ids.delete(last.made[k]!.id);
  for (const list of added) {
    for (const m of list) {
      if (ids.has(m.id)) return undefined;
      ids.add(m.id);
    }
  }
  // A kept task of rank r among the kept comes after the k-th added task when addedAt[k] - k <= r.
  const made: Made[] = [];
  const at: number[] = [];
  let k = 0;
  let removedBefore = 0;
  for (let e = 0; e < last.made.length; e++) {
    const i = last.at[e]!;
    if (gone.has(i)) continue;
    while (removedBefore < removedAt.length && removedAt[removedBefore]! < i) removedBefore++;
    const rank = i - removedBefore;
    for (; k < addedAt.length && addedAt[k]! - k <= rank; k++) for (const m of added[k]!) made.push(m), at.push(addedAt[k]!);
    made.push(last.made[e]!);
    at.push(rank + k);
  }
  for (; k < addedAt.length; k++) for (const m of added[k]!) made.push(m), at.push(addedAt[k]!);
  return { made, at, ids, skipped: 0 };
}

function sameNumbers(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, k) => x === b[k]);
}

function sameMade(a: Made[], b: Made[]): boolean {
  return a.length === b.length && a.every((m, k) => m === b[k] || m.id === b[k]!.id);
}

function cached(cache: DiagnosticCache, key: object, line: number, problems: ConfigProblem[], fallback: Span, related?: DiagnosticRelatedInformation[]): Made[] {
  let hit = cache.get(key);
  if (hit?.line !== line) cache.set(key, (hit = { line, made: problems.map((p) => made(p, fallback, related)) }));
  return hit.made;
}

/** The tasks' own problems, in task order, each id once. */
function ownDiagnostics(tasks: DiscoveredTask[], cache: DiagnosticCache): Own {
  const own: Own = { made: [], at: [], ids: new Set(), skipped: 0 };
  // Plain loops: this runs over every task of the file when an edit moved tasks.
  for (let i = 0; i < tasks.length; i++) {
    const t = tasks[i]!;
    if (t.problems.length === 0) continue;
    for (const m of cached(cache, t, t.decoratorSpan.start.line, t.problems, t.decoratorSpan)) {
      if (own.ids.has(m.id)) {
        own.skipped++;
        continue;
      }
      own.ids.add(m.id);
      own.made.push(m);
      own.at.push(i);
    }
  }
  return own;
}

/** Duplicate names, then blocked callers, each id once and not one of `own`. */
function otherDiagnostics(duplicates: Duplicate[], blocked: Map<DiscoveredTask, ConfigProblem>, cache: DiagnosticCache, own: Set<string>): Made[] {
  const out: Made[] = [];
  const seen = new Set<string>();
  const emit = (made: Made[]) => {
    for (const m of made) {
      if (own.has(m.id) || seen.has(m.id)) continue;
      seen.add(m.id);
      out.push(m);
    }
  };
  for (const d of duplicates) emit(cached(cache, d.problem, (d.problem.span ?? d.task.nameSpan).start.line, [d.problem], d.task.nameSpan, d.related));
  for (const [t, p] of blocked) emit(cached(cache, p, (p.span ?? t.decoratorSpan).start.line, [p], t.decoratorSpan));
  return out;
}

function made(p: ConfigProblem, fallback: Span, related?: DiagnosticRelatedInformation[]): Made {
  const d = toDiagnostic(p, fallback, related);
  // Its JSON, kept by the diagnostic: one flat string whose hash V8 keeps, where a key
  // made of range and message was a new string to flatten and hash per diagnostic.
  return { d, id: diagnosticJson(d) };
}

export function tomlDiagnostics(problems: TomlProblem[]): Diagnostic[] {
  return problems.map((p) => ({
    range: { start: { line: p.line - 1, character: p.column - 1 }, end: { line: p.line - 1, character: Math.max(p.endColumn, p.column) - 1 } },
    severity: p.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    source: SOURCE,
    message: p.message,
  }));
}
