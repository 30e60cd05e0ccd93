// What `capsule run` prints. Task output streams as printed; then the result and one
// final line: state, duration, fuel, ram. With --json, stdout carries only the
// envelope (task output goes to stderr so the JSON stays parseable).
import { formatBytes, formatDuration, formatFuel } from '../config/schema';
import { shownAttempt, type Envelope, type FinalState, type JournalSummary, type LifecycleEvent } from '../engine/types';
import type { Style } from './style';
import { parseExact, toExactJson } from '../values/exact-json';

/** The result exactly as the task returned it (2**64 and 3.0 as written), indented. */
function resultText(env: Envelope): string {
  return toExactJson(env.resultJson ? parseExact(env.resultJson) : env.result, 'the result', 2);
}

/** The envelope as README.md documents it (success, result, error, execution), with the exact result. */
export function envelopeJson(env: Envelope): string {
  const { success, error, execution } = env;
  const body = toExactJson({ success, result: null, error, execution }, 'the envelope', 2);
  // Splice the exact result in place of the placeholder (the second line).
  return body.replace(/^(\{\n  "success": (?:true|false),\n  "result": )null/, (_, head: string) => `${head}${resultText(env).replace(/\n/g, '\n  ')}`);
}

export interface Streams {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

const STATE_MARK: Record<FinalState, string> = { completed: '✔', failed: '✖', timed_out: '⏱', interrupted: '■' };

export class Reporter {
  constructor(
    private readonly io: Streams,
    private readonly style: Style,
    private readonly opts: { json: boolean; verbose: boolean },
  ) {}

  event(e: LifecycleEvent, rootId: string): void {
    if (e.type === 'stdout' || e.type === 'stderr') {
      const text = e.text ?? '';
      // Sub-task output is tagged so that interleaved lines can be told apart.
      const tagged = e.instanceId === rootId ? text : text.replace(/^(?=.)/gm, this.style.dim(`[${e.taskName}] `));
      (e.type === 'stderr' || this.opts.json ? this.io.err : this.io.out).write(tagged);
      return;
    }
    if (e.type === 'retrying') {
      this.io.err.write(this.style.yellow(`↻ ${e.taskName}: attempt ${shownAttempt(e.attempt)} failed (${e.error?.error_type}): ${e.error?.message}; retrying\n`));
      return;
    }
    if (this.opts.verbose) {
      const who = `${e.taskName}${e.parentId ? ' (sub-task)' : ''} #${e.instanceId.slice(0, 8)}`;
      const extra = e.error ? ` ${e.error.error_type}: ${e.error.message}` : '';
      this.io.err.write(this.style.dim(`· ${who} attempt ${shownAttempt(e.attempt)}: ${e.type}${extra}\n`));
    }
  }

  finish(env: Envelope): void {
    if (this.opts.json) {
      this.io.out.write(`${envelopeJson(env)}\n`);
      return;
    }
    if (env.success) {
      if (env.result !== null && env.result !== undefined) {
        this.io.out.write(`${typeof env.result === 'string' ? env.result : resultText(env)}\n`);
      }
    } else if (env.error) {
      if (env.error.traceback) this.io.err.write(this.style.dim(env.error.traceback.endsWith('\n') ? env.error.traceback : `${env.error.traceback}\n`));
      this.io.err.write(`${this.style.red(`error (${env.error.error_type}):`)} ${env.error.message}\n`);
    }
    this.io.err.write(`${finalLine(env, this.style)}\n`);
  }
}

export function finalLine(env: Envelope, style: Style): string {
  const { state, execution: x } = env;
  const paint = state === 'completed' ? style.green : state === 'interrupted' ? style.yellow : style.red;
  const parts = [
    `${STATE_MARK[state]} ${x.task_name} ${state}`,
    `in ${formatDuration(x.duration_ms)}`,
    `fuel ${formatFuel(x.fuel_consumed)}`,
    `ram ${formatBytes(x.ram_used)}`,
  ];
  if (x.retries > 0) parts.push(`${x.retries} ${x.retries === 1 ? 'retry' : 'retries'}`);
  return `${paint(style.bold(parts[0]!))} ${style.dim('·')} ${parts.slice(1).join(style.dim(' · '))}`;
}

/** A resumed or replayed run: what came from the journal, and where the run diverged from the recorded one. */
export function journalLines(j: JournalSummary, style: Style): string {
  const from = j.source_run ? j.source_run.slice(0, 8) : '?';
  let text = style.dim(`${j.mode === 'replay' ? 'replayed' : 'resumed'} run ${from}: ${j.replayed} ${j.replayed === 1 ? 'call' : 'calls'} from the journal, ${j.ran} made\n`);
  if (j.divergence) {
    const d = j.divergence;
    text += style.yellow(`diverged at call ${d.path} (${d.kind}): expected ${d.expected}, got ${d.got}${j.stopped ? '; stopped there' : '; ran live from there'}\n`);
  }
  return text;
}
