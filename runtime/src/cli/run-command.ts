// `capsule run` and `capsule exec`: start one task through the engine, stream its
// output, print the outcome, map it to an exit code. Ctrl-C cancels the task.
import { parseMountFlag } from '../capabilities/files';
import { Engine } from '../engine/engine';
import type { Mount } from '../engine/sandbox-port';
import type { Envelope, FromRun, LifecycleEvent } from '../engine/types';
import type { QueueUrl } from '../queue/url';
import { openQueueSandbox, QueueNotReached, type QueueSandbox } from '../queue/open';
import { loadTaskArgs } from './args';
import { journalLines, Reporter, type Streams } from './reporter';
import type { Style } from './style';
import { EXIT, UsageFailure } from './usage';

export interface RunOptions {
  file: string;
  projectRoot: string;
  taskName: string;
  json: boolean;
  verbose: boolean;
  argsFile?: string;
  mounts: string[];
  positional: string[];
  cwd: string;
  tracePath?: string;
  /** Arguments already parsed (a resumed run's recorded ones), instead of positional/argsFile. */
  values?: { args: unknown[]; kwargs: Record<string, unknown> };
  /** Resume or replay a recorded run. */
  from?: FromRun;
  /** Gets the envelope before the engine is disposed of. */
  onEnvelope?(env: Envelope): void;
  /** Run the attempts on this queue's workers (queue/), not here. */
  queue?: QueueUrl | null;
}

export async function runTask(o: RunOptions, io: Streams, style: Style): Promise<number> {
  const { args, kwargs } = o.values ?? loadTaskArgs(o.positional, o.argsFile, o.cwd);
  let mounts: Mount[];
  try {
    mounts = o.mounts.map((m) => parseMountFlag(m, o.cwd));
  } catch (e) {
    throw new UsageFailure((e as Error).message);
  }
  const onWarning = (m: string): void => void io.err.write(style.yellow(`capsule: warning: ${m}\n`));
  let queue: QueueSandbox | null = null;
  if (o.queue) {
    // A worker never reads this machine's disk: --mount names directories of this machine.
    if (mounts.length > 0) throw new UsageFailure('capsule run: --mount names a directory of this machine, which queue workers cannot see; map directories on each worker instead (capsule worker --mount PATH=DIR), or run with --local');
    try {
      queue = await openQueueSandbox(o.queue, onWarning);
    } catch (e) {
      if (e instanceof QueueNotReached) throw new UsageFailure(e.message);
      throw e;
    }
  }
  // The engine checks the file's config (file:line:col errors reject the result)
  // before any task runs; a sandbox worker boots meanwhile.
  const engine = await Engine.create({
    projectRoot: o.projectRoot,
    ...(o.tracePath ? { tracePath: o.tracePath } : {}),
    ...(queue ?? {}),
    onWarning,
  });
  const reporter = new Reporter(io, style, { json: o.json, verbose: o.verbose });
  const handle = engine.start({ file: o.file, taskName: o.taskName, args, kwargs, mounts, ...(o.from ? { from: o.from } : {}) });
  const sub = handle.onEvent((e: LifecycleEvent) => reporter.event(e, handle.instanceId));
  const onSignal = (): void => handle.cancel();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let envelope: Envelope;
  try {
    envelope = await handle.result;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    sub.dispose();
    await engine.dispose();
    await queue?.sandbox.dispose();
  }
  reporter.finish(envelope);
  if (envelope.execution.journal && !o.json) io.err.write(journalLines(envelope.execution.journal, style));
  o.onEnvelope?.(envelope);
  return envelope.success ? EXIT.ok : EXIT.taskFailed;
}
