// A task that calls a task of its file whose decorator has errors cannot run: the CLI
// checks the task it runs and those it calls (a call `fn(` of a task's function name in
// its definition, transitively; engine/task-resolver.ts reachableTasks). The editor says
// so on the caller, by the same rule, in one pass per newly blocked name.
import type { ConfigProblem } from '../config/schema';
import type { DiscoveredTask } from './tasks';

/** The callers that are blocked, each with the problem to show on its decorator. */
export function blockedCallers(tasks: DiscoveredTask[], source: string): Map<DiscoveredTask, ConfigProblem> {
  const out = new Map<DiscoveredTask, ConfigProblem>();
  const bad = tasks.filter((t) => t.problems.some((p) => p.severity === 'error'));
  if (bad.length === 0) return out;
  // One scan of the text per round: a call's line finds the task whose definition holds it.
  const lineStarts = [0];
  for (let i = source.indexOf('\n'); i >= 0; i = source.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const byLine = [...tasks].sort((a, b) => a.nameSpan.start.line - b.nameSpan.start.line);
  const firstLines = byLine.map((t) => t.nameSpan.start.line);
  const taskAt = (index: number): DiscoveredTask | undefined => {
    const row = lastAtMost(lineStarts, index);
    const i = lastAtMost(firstLines, row);
    const t = byLine[i];
    return t && row <= t.span.end.line ? t : undefined;
  };
  const badSet = new Set(bad);
  const clean = new Set(tasks.filter((t) => !badSet.has(t)));
  let blocking = bad;
  while (blocking.length > 0 && clean.size > 0) {
    const byName = new Map(blocking.filter((t) => t.functionName).map((t) => [t.functionName, t]));
    if (byName.size === 0) break;
    // Any call `name(` not after a dot; the name is looked up (an alternation of thousands of names is slow).
    const call = /(^|[^\w.])([A-Za-z_]\w*)\s*\(/gm;
    const next: DiscoveredTask[] = [];
    for (let m = call.exec(source); m; m = call.exec(source)) {
      const callee = byName.get(m[2]!);
      if (!callee) continue;
      const t = taskAt(m.index + m[1]!.length);
      if (!t || !clean.has(t)) continue;
      out.set(t, {
        param: '',
        severity: 'error',
        message: `task "${t.name}" calls "${callee.functionName}" (line ${callee.nameSpan.start.line + 1}), whose task cannot run as written; fix it first, as capsule run checks the tasks a task calls`,
        span: t.decoratorSpan,
      });
      clean.delete(t);
      next.push(t);
    }
    blocking = next;
  }
  return out;
}

/** The index of the last element <= x in an ascending array (0 if none). */
function lastAtMost(xs: number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return Math.max(0, lo - 1);
}
