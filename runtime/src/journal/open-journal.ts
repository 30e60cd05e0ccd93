// A run's journal, wired to the trace: where its rows and blobs go, and where a
// resumed or replayed run's recorded calls come from.
import { join } from 'node:path';
import type { DeferredTrace } from '../trace/deferred-trace';
import { UsageError } from '../engine/errors';
import type { FromRun } from '../engine/types';
import { BlobStore } from './blobs';
import { DEFAULT_BLOB_CAP, readEntries, referencedBlobs, readRunInfo, writeEntry, writeRunInfo, type Divergence, type JournalEntry } from './journal-store';
import { RunJournal, type JournalSource } from './run-journal';

/** A resume of a resume reads the whole chain, newest first, at most this deep. */
const MAX_CHAIN = 32;

export interface JournalPlace {
  trace: DeferredTrace;
  /** The trace's directory (.capsule/): blobs go in blobs/ beside it. */
  dir: string;
  blobCap?: number;
}

export function openRunJournal(place: JournalPlace, runId: string, from: FromRun | undefined, onStop: (d: Divergence) => void): RunJournal {
  const blobs = new BlobStore(join(place.dir, 'blobs'));
  const cap = place.blobCap ?? DEFAULT_BLOB_CAP;
  const source = from ? loadSource(place.trace, blobs, from.runId) : null;
  const journal = new RunJournal({
    runId,
    mode: from?.mode ?? 'live',
    source,
    strict: !!from?.strict,
    write: (entry: JournalEntry, how) => {
      place.trace.write((t) => t.journalWrite((db) => writeEntry(db, runId, entry, blobs, cap, how === 'replayed')));
      // A call made for real is on disk before its caller sees the reply: a process
      // killed after that never makes it again. Copies of replayed calls and notes can wait a turn.
      if (how === 'made') place.trace.flush();
    },
    onStop,
  });
  if (from) saveRunInfo(place.trace, journal);
  return journal;
}

export function saveRunInfo(trace: DeferredTrace, journal: RunJournal): void {
  const info = journal.info();
  trace.write((t) => t.journalWrite((db) => writeRunInfo(db, info)));
}

/** The recorded calls of `runId` and of the runs it resumed (a later run's answer wins). */
function loadSource(trace: DeferredTrace, blobs: BlobStore, runId: string): JournalSource {
  const store = trace.get();
  if (!store) throw new UsageError(`cannot resume or replay run ${runId}: the trace cannot be opened`);
  const entries = new Map<string, JournalEntry>();
  store.journalRead((db) => {
    let id: string | null = runId;
    for (let depth = 0; id && depth < MAX_CHAIN; depth++) {
      for (const [k, e] of readEntries(db, id, blobs).entries) if (!entries.has(k)) entries.set(k, e);
      id = readRunInfo(db, id)?.sourceRun ?? null;
    }
  });
  return { runId, entries };
}


/** After pruning: blobs of runs no longer kept go too (an hour's grace for a row another process has not committed yet). */
export function sweepBlobs(place: JournalPlace): number {
  const store = place.trace.get();
  if (!store) return 0;
  return new BlobStore(join(place.dir, 'blobs')).sweep(store.journalRead(referencedBlobs), 60 * 60 * 1000);
}
