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
 * Diagnostics made from problems, by problem object, with their identity for the
 * once-only check. A problem's spans move together with its task (a reused task's text
 * did not change), so its first line tells whether the diagnostic still fits.
 */
export type DiagnosticCache = WeakMap<ConfigProblem, { line: number; d: Diagnostic; id: string }>;

/** Every task's problems, duplicate names and callers of broken tasks, each reported once. */
export function taskDiagnostics(tasks: DiscoveredTask[], duplicates: DuplicateProblem[], blocked: Map<DiscoveredTask, ConfigProblem> = new Map(), cache: DiagnosticCache = new WeakMap()): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  const add = (p: ConfigProblem, fallback: Span) => {
    const line = (p.span ?? fallback).start.line;
    let hit = cache.get(p);
    if (hit?.line !== line) {
      const d = toDiagnostic(p, fallback);
      cache.set(p, (hit = { line, d, id: `${d.range.start.line}:${d.range.start.character}:${d.range.end.line}:${d.range.end.character}:${d.message}` }));
    }
    if (!seen.has(hit.id)) {
      seen.add(hit.id);
      out.push(hit.d);
    }
  };
  for (const t of tasks) for (const p of t.problems) add(p, t.decoratorSpan);
  for (const d of duplicates) add(d.problem, d.task.nameSpan);
  for (const [t, p] of blocked) add(p, t.decoratorSpan);
  return out;
}

export function tomlDiagnostics(problems: TomlProblem[]): Diagnostic[] {
  return problems.map((p) => ({
    range: { start: { line: p.line - 1, character: p.column - 1 }, end: { line: p.line - 1, character: Math.max(p.endColumn, p.column) - 1 } },
    severity: p.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    source: SOURCE,
    message: p.message,
  }));
}
