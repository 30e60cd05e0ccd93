// Problems from the schema become LSP diagnostics at the offending value's exact range.
// Quick fixes, when the schema offers some, ride along in `data` for the code actions.
import { DiagnosticSeverity, type Diagnostic, type Range } from 'vscode-languageserver';
import type { ConfigProblem, Span } from '../../runtime/src/config/schema';
import type { TomlProblem } from '../../runtime/src/config/toml';
import type { DiscoveredTask, DuplicateProblem } from '../../runtime/src/discovery/index';

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
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  const emit = (key: object, line: number, problems: ConfigProblem[], fallback: Span) => {
    let hit = cache.get(key);
    if (hit?.line !== line) cache.set(key, (hit = { line, made: problems.map((p) => made(p, fallback)) }));
    for (const m of hit.made) {
      if (seen.has(m.id)) continue;
      seen.add(m.id);
      out.push(m.d);
    }
  };
  // Plain loops: this runs on each keystroke over every task of the file.
  for (let i = 0; i < tasks.length; i++) {
    const t = tasks[i]!;
    if (t.problems.length > 0) emit(t, t.decoratorSpan.start.line, t.problems, t.decoratorSpan);
  }
  for (const d of duplicates) emit(d.problem, (d.problem.span ?? d.task.nameSpan).start.line, [d.problem], d.task.nameSpan);
  for (const [t, p] of blocked) emit(p, (p.span ?? t.decoratorSpan).start.line, [p], t.decoratorSpan);
  return out;
}

function made(p: ConfigProblem, fallback: Span): { d: Diagnostic; id: string } {
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
