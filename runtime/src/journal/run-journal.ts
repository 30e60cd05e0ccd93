// One run's journal. A live run records each call that crosses the sandbox
// boundary as it completes. A resumed run answers a call from the journal of the
// run it resumes when that run completed the same call at the same position, and
// runs it for real otherwise; the first call that differs is a divergence, and
// from there on the run is live (or, with strict, it stops). A replay answers
// every call from the journal and never runs one.
import { createHmac, randomBytes } from 'node:crypto';
import { GuestError } from '../capabilities/http-gate';
import { sha256 } from './blobs';
import { entryKey, type CallKind, type Divergence, type JournalEntry, type JournalMode, type JournalRunInfo } from './journal-store';
import { hasSecretMarkers, restoreSecrets, scrubSecrets } from './redact';
import { clockEntry, recordedReadings } from './clock-journal';
import type { ClockReadings } from '../sandbox/types';

/** One attempt's clock in the journal: the readings to give back, and where its own go. */
export interface AttemptClock {
  /** The recorded attempt's readings (a resume or replay before any divergence), or null. */
  recorded: ClockReadings | null;
  /** Notes a batch of the attempt's readings. */
  record(taken: ClockReadings): void;
  /** The run went live: recorded readings no longer apply. */
  live(): boolean;
}

export interface JournalSource {
  runId: string;
  entries: ReadonlyMap<string, JournalEntry>;
}

export type EntryOrigin = 'made' | 'replayed' | 'note';

export interface RunJournalOptions {
  runId: string;
  mode: JournalMode;
  source: JournalSource | null;
  /** Stop the run at the first divergence instead of going live. */
  strict: boolean;
  /**
   * Writes one entry. `made`: a call made for real (durable before the guest sees the
   * reply); `replayed`: a copy of a recorded call; `note`: what the run saw besides
   * calls (its seed, environment names, clock readings), durable with the next call.
   */
  write(entry: JournalEntry, how: EntryOrigin): void;
  /** Called once, at the first divergence of a strict resume or a replay. */
  onStop?(d: Divergence): void;
}

export class RunJournal {
  replayed = 0;
  ran = 0;
  divergence: Divergence | null = null;
  /** Variables whose values were named in a recalled reply but are no longer set. */
  readonly missingSecrets = new Set<string>();
  private live: boolean;
  private readonly secrets = new Map<string, string>();
  private seed: string | null = null;
  private seedWritten = false;

  constructor(private readonly o: RunJournalOptions) {
    this.live = o.mode === 'live' || o.source === null;
  }

  get mode(): JournalMode {
    return this.o.mode;
  }

  /** Values granted to a task of this run: never written, swapped for markers. */
  addSecrets(env: Readonly<Record<string, string>>): void {
    for (const [k, v] of Object.entries(env)) this.secrets.set(k, v);
  }

  get secretValues(): ReadonlyMap<string, string> {
    return this.secrets;
  }

  /** Does the recorded reply at this position name granted variables (so the caller must learn their values first)? */
  namesSecrets(kind: CallKind, path: string): boolean {
    if (this.live) return false;
    return hasSecretMarkers(this.o.source!.entries.get(entryKey(kind, path))?.reply ?? '');
  }

  /**
   * The recorded reply for a call about to be made (JSON text, secrets put back),
   * or null to make the call for real. A replay throws (as the guest's exception)
   * rather than return null: it never makes a call.
   */
  recall(kind: CallKind, path: string, hash: string, call: string): { ok: boolean; reply: string } | null {
    if (this.live) return null;
    const entry = this.o.source!.entries.get(entryKey(kind, path));
    if (entry && entry.hash === hash) {
      // A resume makes failed calls again (the sub-task that failed is why the run is resumed); a replay repeats them.
      if (!entry.ok && this.o.mode === 'resume') return null;
      this.replayed++;
      this.o.write(entry, 'replayed');
      return { ok: entry.ok, reply: restoreSecrets(entry.reply, this.secrets, this.missingSecrets) };
    }
    if (entry || this.o.mode === 'replay') this.diverge({ kind, path, expected: entry ? entry.call : 'no such call', got: call });
    return null;
  }

  /**
   * The entropy seed of one attempt of the instance at `callPath`: derived from the
   * run's seed, which a resume or replay takes from the recorded run, so the same
   * code draws the same random numbers there.
   */
  instanceSeed(callPath: string, attempt: number): string {
    this.seed ??= this.recordedSeed() ?? randomBytes(32).toString('hex');
    return createHmac('sha256', Buffer.from(this.seed, 'hex')).update(`${callPath}#${attempt}`).digest('hex');
  }

  private recordedSeed(): string | null {
    const entry = this.o.mode === 'live' ? undefined : this.o.source?.entries.get(entryKey('seed', ''));
    if (!entry) return null;
    try {
      const seed: unknown = JSON.parse(entry.reply);
      return typeof seed === 'string' && /^[0-9a-f]{64}$/.test(seed) ? seed : null;
    } catch {
      return null;
    }
  }

  /** A call made for real: recorded (secrets scrubbed) once it has its reply. */
  record(kind: CallKind, path: string, hash: string, call: string, ok: boolean, reply: string): void {
    if (this.seed !== null && !this.seedWritten) {
      // With the run's first recorded call (whose write makes both durable): a run killed before it has nothing to resume.
      this.seedWritten = true;
      this.o.write({ kind: 'seed', path: '', hash: sha256(this.seed), call: 'the run\'s entropy seed', ok: true, reply: JSON.stringify(this.seed) }, 'note');
    }
    this.ran++;
    this.o.write({ kind, path, hash, call, ok, reply: scrubSecrets(reply, this.secrets) }, 'made');
  }

  /**
   * The names of the variables the instance at `path` was given, and of those its
   * decorator asked for that were not set; never their values.
   */
  recordEnv(path: string, given: string[], missing: string[]): void {
    const reply = JSON.stringify({ given, missing });
    const call = `environment: ${given.join(', ') || 'none set'}${missing.length ? `; not set: ${missing.join(', ')}` : ''}`;
    this.o.write({ kind: 'env', path, hash: sha256(reply), call, ok: missing.length === 0, reply }, 'note');
  }

  /** The clock of attempt `attempt` of the instance at `path`. */
  attemptClock(path: string, attempt: number): AttemptClock {
    const recorded = this.live ? null : recordedReadings(this.o.source!.entries, path, attempt);
    let batch = 0;
    return {
      recorded,
      record: (taken) => this.o.write(clockEntry(path, attempt, batch++, taken), 'note'),
      live: () => this.live,
    };
  }

  info(): JournalRunInfo {
    return { runId: this.o.runId, sourceRun: this.o.source?.runId ?? null, mode: this.o.mode, replayed: this.replayed, ran: this.ran, divergence: this.divergence };
  }

  private diverge(d: Divergence): void {
    if (!this.divergence) this.divergence = d;
    const stop = this.o.mode === 'replay' || this.o.strict;
    if (!stop) {
      this.live = true;
      return;
    }
    this.o.onStop?.(this.divergence);
    throw new GuestError(
      'OSError',
      `${this.o.mode === 'replay' ? 'replay' : 'resume --strict'}: the run diverged from run ${this.o.source!.runId.slice(0, 8)} at call ${d.path} (${d.kind}): ` +
        `expected ${d.expected}, got ${d.got}`,
    );
  }
}
