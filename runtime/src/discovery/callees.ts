// A task that calls a task of its file whose decorator has errors cannot run: the CLI
// checks the task it runs and those it calls (a call `fn(` of a task's function name in
// its definition, transitively; engine/task-resolver.ts reachableTasks). The editor says
// so on the caller, by the same rule, in one round per newly blocked set.
import type { ConfigProblem } from '../config/schema';
import type { TaskChange } from './incremental';
import type { DiscoveredTask } from './tasks';

/** What the check keeps per task: whether its decorator has errors, the names it calls. */
interface CallInfo { bad: boolean; calls?: string[] }

/** The callers that are blocked, each with the problem to show on its decorator. */
export function blockedCallers(tasks: DiscoveredTask[], source: string): Map<DiscoveredTask, ConfigProblem> {
  return problemsOf(blockingPairs(tasks, source, new WeakMap()));
}

/**
 * blockedCallers for a document checked on each keystroke: when the tasks are those of
 * the last call but a few re-read ones with the same function name, errors and calls
 * (an edit inside one decorator), the blocked callers are those of the last call.
 */
export class CallerCheck {
  private last: DiscoveredTask[] = [];
  private pairs = new Map<DiscoveredTask, DiscoveredTask>();
  private readonly info = new WeakMap<DiscoveredTask, CallInfo>();

  /** `change`: how `tasks` differ from the last call's (a keystroke's pass), so only those are compared. */
  blocked(tasks: DiscoveredTask[], source: string, change?: TaskChange | null): Map<DiscoveredTask, ConfigProblem> {
    const swaps = tasks === this.last ? new Map<DiscoveredTask, DiscoveredTask>()
      : change?.before === this.last ? this.swapsOf(change.removed, change.added, source)
      : this.swaps(tasks, source);
    if (!swaps) this.pairs = blockingPairs(tasks, source, this.info);
    else if (swaps.size > 0) {
      const pairs = new Map<DiscoveredTask, DiscoveredTask>();
      for (const [caller, callee] of this.pairs) pairs.set(swaps.get(caller) ?? caller, swaps.get(callee) ?? callee);
      this.pairs = pairs;
    }
    this.last = tasks;
    return problemsOf(this.pairs);
  }

  /** Old task -> new task where they differ alike; undefined when the pairs must be found again. */
  private swaps(tasks: DiscoveredTask[], source: string): Map<DiscoveredTask, DiscoveredTask> | undefined {
    if (tasks.length !== this.last.length) return undefined;
    const swaps = new Map<DiscoveredTask, DiscoveredTask>();
    for (let i = 0; i < tasks.length; i++) {
      const now = tasks[i]!;
      const was = this.last[i]!;
      if (now === was) continue;
      if (swaps.size >= 64 || !this.alike(was, now, source)) return undefined;
      swaps.set(was, now);
    }
    return swaps;
  }

  /** swaps() from a pass's change: the replaced tasks, in list order, are all that differ. */
  private swapsOf(removed: DiscoveredTask[], added: DiscoveredTask[], source: string): Map<DiscoveredTask, DiscoveredTask> | undefined {
    if (removed.length !== added.length || removed.length > 64) return undefined;
    const swaps = new Map<DiscoveredTask, DiscoveredTask>();
    for (let i = 0; i < removed.length; i++) {
      if (!this.alike(removed[i]!, added[i]!, source)) return undefined;
      swaps.set(removed[i]!, added[i]!);
    }
    return swaps;
  }

  /** The same function name, errors and calls: `now` blocks and is blocked as `was` did. */
  private alike(was: DiscoveredTask, now: DiscoveredTask, source: string): boolean {
    if (now.functionName !== was.functionName) return false;
    const a = infoOf(was, this.info);
    const b = infoOf(now, this.info);
    return a.bad === b.bad && sameList((a.calls ??= calledNames(source, was)), (b.calls ??= calledNames(source, now)));
  }
}

function infoOf(t: DiscoveredTask, cache: WeakMap<DiscoveredTask, CallInfo>): CallInfo {
  let i = cache.get(t);
  if (!i) cache.set(t, (i = { bad: t.problems.some((p) => p.severity === 'error') }));
  return i;
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, k) => x === b[k]);
}

/** Each blocked caller and the broken task it calls first (directly, or through a blocked one). */
function blockingPairs(tasks: DiscoveredTask[], source: string, cache: WeakMap<DiscoveredTask, CallInfo>): Map<DiscoveredTask, DiscoveredTask> {
  const out = new Map<DiscoveredTask, DiscoveredTask>();
  let blocking = new Map<string, DiscoveredTask>();
  for (const t of tasks) if (t.functionName && infoOf(t, cache).bad) blocking.set(t.functionName, t);
  while (blocking.size > 0) {
    const next = new Map<string, DiscoveredTask>();
    for (const t of tasks) {
      const i = infoOf(t, cache);
      if (i.bad || out.has(t)) continue;
      i.calls ??= calledNames(source, t);
      const callee = i.calls.map((name) => blocking.get(name)).find((c) => c !== undefined);
      if (!callee) continue;
      out.set(t, callee);
      if (t.functionName) next.set(t.functionName, t);
    }
    blocking = next;
  }
  return out;
}

function problemsOf(pairs: Map<DiscoveredTask, DiscoveredTask>): Map<DiscoveredTask, ConfigProblem> {
  const out = new Map<DiscoveredTask, ConfigProblem>();
  for (const [t, callee] of pairs) {
    out.set(t, {
      param: '',
      severity: 'error',
      message: `task "${t.name}" calls "${callee.functionName}" (line ${callee.nameSpan.start.line + 1}), whose task cannot run as written; fix it first, as capsule run checks the tasks a task calls`,
      span: t.decoratorSpan,
    });
  }
  return out;
}

/** Each `name(` not after a dot, in order, on the lines from the task's `def` to its end (as the CLI reads them). */
function calledNames(source: string, t: DiscoveredTask): string[] {
  const from = source.lastIndexOf('\n', t.nameSpan.startIndex - 1) + 1;
  const nl = source.indexOf('\n', t.span.endIndex);
  const body = source.slice(from, nl < 0 ? source.length : nl);
  // A lookbehind, not a consumed character: in `f(g(x))` both calls count, as for the CLI.
  const call = /(?<![\w.])([A-Za-z_]\w*)\s*\(/g;
  const out: string[] = [];
  for (let m = call.exec(body); m; m = call.exec(body)) out.push(m[1]!);
  return out;
}
