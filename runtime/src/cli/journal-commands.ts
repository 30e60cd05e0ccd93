// `capsule resume [RUN_ID]` and `capsule replay RUN_ID`: run a recorded run's
// root task again, with the calls its journal holds answered from it. A resume
// makes for real what the recorded run did not complete; a replay makes no call
// at all, and says whether the run reproduced the recorded outcome.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findRoot, type RecordedRoot } from '../journal/journal-store';
import type { Envelope, FromRun } from '../engine/types';
import { openTraceRecovering } from '../trace/open-recovering';
import { parseExact } from '../values/exact-json';
import { sameOutcome } from '../journal/same-outcome';
import type { Streams } from './reporter';
import { runTask } from './run-command';
import type { Style } from './style';
import { EXIT, UsageFailure } from './usage';

export interface JournalRunOptions {
  projectRoot: string;
  runId: string | undefined;
  mode: FromRun['mode'];
  strict: boolean;
  json: boolean;
  verbose: boolean;
  cwd: string;
}

export async function rerunFromJournal(o: JournalRunOptions, io: Streams, style: Style): Promise<number> {
  const root = recordedRoot(o.projectRoot, o.runId, io, style);
  const args = root.args ? (parseExact(root.args, 'the recorded arguments') as { args?: unknown[]; kwargs?: Record<string, unknown> }) : {};
  let envelope: Envelope | null = null;
  const code = await runTask(
    {
      file: resolve(o.projectRoot, root.file),
      projectRoot: o.projectRoot,
      taskName: root.task,
      json: o.json,
      verbose: o.verbose,
      mounts: [],
      positional: [],
      cwd: o.cwd,
      values: { args: args.args ?? [], kwargs: args.kwargs ?? {} },
      from: { runId: root.id, mode: o.mode, strict: o.strict },
      onEnvelope: (env) => (envelope = env),
    },
    io,
    style,
  );
  if (!envelope) return code;
  const summary = (envelope as Envelope).execution.journal;
  if (o.mode !== 'replay') return code;
  const same = sameOutcome({ state: root.state, resultJson: root.result, errorType: root.errorType }, envelope as Envelope);
  if (!o.json) io.err.write(same ? style.green('replay reproduced the recorded outcome\n') : style.red(`replay differs from the recorded outcome: ${same === false ? describe(root) : ''}\n`));
  return same && !summary?.divergence ? EXIT.ok : EXIT.taskFailed;
}

function recordedRoot(projectRoot: string, runId: string | undefined, io: Streams, style: Style): RecordedRoot {
  const path = join(projectRoot, '.capsule', 'trace.db');
  if (!existsSync(path)) throw new UsageFailure(`no runs recorded in ${projectRoot} (${path} does not exist)`);
  const trace = openTraceRecovering(path, (m) => io.err.write(style.yellow(`capsule: warning: ${m}\n`)), (t) => t.recoverInterrupted());
  try {
    const found = trace.journalRead((db) => findRoot(db, runId));
    if ('error' in found) throw new UsageFailure(found.error);
    if (found.state === 'running' || found.state === 'created' || found.state === 'retrying') {
      throw new UsageFailure(`run ${found.id.slice(0, 8)} is still running (in another process); resume it once it has ended`);
    }
    return found;
  } finally {
    trace.close();
  }
}

function describe(root: RecordedRoot): string {
  return root.state === 'completed' ? `it completed with ${root.result === null ? 'a result too large to keep' : root.result.slice(0, 200)}` : `it ended ${root.state} (${root.errorType}: ${root.message ?? ''})`;
}
