// `capsule history`: recent runs from the trace, newest first.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { formatBytes, formatDuration, formatFuel } from '../config/schema';
import type { TraceStore } from '../trace/trace-store';
import { openTraceRecovering } from '../trace/open-recovering';
import type { InstanceRecord } from '../trace/records';
import type { Streams } from './reporter';
import type { Style } from './style';

/** Sub-tasks listed under each run; a fan-out of hundreds is summarised. */
const MAX_CHILDREN = 5;

export function showHistory(projectRoot: string, opts: { limit: number; json: boolean; clear: boolean }, io: Streams, style: Style): number {
  const path = join(projectRoot, '.capsule', 'trace.db');
  if (!existsSync(path)) {
    if (opts.json) io.out.write('[]\n');
    else io.err.write(`no runs yet: ${path} does not exist\n`);
    return 0;
  }
  let trace: TraceStore;
  try {
    // Runs whose process died show as interrupted, not running.
    trace = openTraceRecovering(path, (m) => io.err.write(style.yellow(`capsule: warning: ${m}\n`)), (t) => t.recoverInterrupted());
  } catch (e) {
    io.err.write(`${style.red('capsule:')} cannot read the run history in ${path}: ${(e as Error).message}\n`);
    return 1;
  }
  try {
    if (opts.clear) {
      trace.clear();
      io.err.write(`cleared the finished runs from ${path}\n`);
      return 0;
    }
    const runs = trace.history(opts.limit);
    if (opts.json) {
      io.out.write(`${JSON.stringify(runs, null, 2)}\n`);
      return 0;
    }
    if (runs.length === 0) io.err.write('no runs yet\n');
    for (const r of runs) {
      io.out.write(`${line(r, style)}\n`);
      for (const c of r.children.slice(0, MAX_CHILDREN)) io.out.write(`    ${style.dim('└')} ${line(c, style)}\n`);
      if (r.children.length > MAX_CHILDREN) {
        const more = r.children.slice(MAX_CHILDREN);
        const failed = more.filter((c) => c.state !== 'completed').length;
        io.out.write(`    ${style.dim(`└ ... and ${more.length} more sub-tasks${failed ? ` (${failed} not completed)` : ''}; --json lists them all`)}\n`);
      }
    }
    return 0;
  } catch (e) {
    io.err.write(`${style.red('capsule:')} cannot read the run history in ${path}: ${(e as Error).message}\n`);
    return 1;
  } finally {
    trace.close();
  }
}

function line(r: InstanceRecord, style: Style): string {
  const when = new Date(r.createdAt).toISOString().replace('T', ' ').slice(0, 19);
  const paint = r.state === 'completed' ? style.green : r.state === 'running' || r.state === 'created' || r.state === 'retrying' || r.state === 'interrupted' ? style.yellow : style.red;
  const dur = r.endedAt !== null && r.startedAt !== null ? formatDuration(r.endedAt - r.startedAt) : '-';
  const attempts = r.attempts.length > 1 ? ` · ${r.attempts.length} attempts` : '';
  const err = r.errorType || r.message ? ` · ${r.errorType ?? ''}${r.errorType && r.message ? ': ' : ''}${(r.message ?? '').split('\n')[0]}` : '';
  return `${style.dim(when)} ${r.id.slice(0, 8)} ${style.bold(r.taskName)} ${style.dim(r.file)} ${paint(r.state)} · ${dur} · fuel ${formatFuel(r.fuelConsumed ?? 0)} · ram ${formatBytes(r.peakMemoryBytes ?? 0)}${attempts}${placed(r)}${err}`;
}

/** Which queue workers ran the instance's attempts, and (for a run) its sub-tasks; nothing for a local run. */
function placed(r: InstanceRecord & { children?: InstanceRecord[] }): string {
  const own = [...new Set(r.attempts.map((a) => a.worker).filter((w): w is string => !!w))];
  const subs = new Set((r.children ?? []).flatMap((c) => c.attempts.map((a) => a.worker).filter((w): w is string => !!w)));
  const parts = [];
  if (own.length) parts.push(`on ${own.length === 1 ? 'worker' : 'workers'} ${own.join(', ')}`);
  if (subs.size) parts.push(`sub-tasks on ${subs.size} ${subs.size === 1 ? 'worker' : 'workers'}`);
  return parts.length ? ` · ${parts.join(' · ')}` : '';
}
