// The clock readings of each attempt of each instance, in the journal: one row per batch
// the sandbox reports (before each host call, and at the end), at path
// "<instance path>#<attempt>.<batch>". A resume or replay gives an attempt the readings
// its recorded counterpart made, in order, so code that reads the clock sees the same
// times and makes the same calls.
import * as z from 'zod/mini';
import { CLOCK_READINGS_CAP, type ClockReadings } from '../sandbox/types';
import { sha256 } from './blobs';
import { entryKey, type JournalEntry } from './journal-store';

const reading = z.number().check(z.int(), z.nonnegative());
const Batch = z.object({ wall: z.array(reading).check(z.maxLength(CLOCK_READINGS_CAP)), monotonic: z.array(reading).check(z.maxLength(CLOCK_READINGS_CAP)) });

export const clockPath = (path: string, attempt: number, batch: number): string => `${path}#${attempt}.${batch}`;

export function clockEntry(path: string, attempt: number, batch: number, taken: ClockReadings): JournalEntry {
  const reply = JSON.stringify({ wall: taken.wall, monotonic: taken.monotonic });
  return { kind: 'clock', path: clockPath(path, attempt, batch), hash: sha256(reply), call: `clock readings (${taken.wall.length} wall, ${taken.monotonic.length} monotonic)`, ok: true, reply };
}

/**
 * The readings a recorded attempt made, its batches joined in order; null when it has
 * none. A batch that does not check out (a crafted trace) ends what is given back there.
 */
export function recordedReadings(entries: ReadonlyMap<string, JournalEntry>, path: string, attempt: number): ClockReadings | null {
  const out: ClockReadings = { wall: [], monotonic: [] };
  for (let batch = 0; ; batch++) {
    const e = entries.get(entryKey('clock', clockPath(path, attempt, batch)));
    if (!e) break;
    let parsed: unknown;
    try {
      parsed = JSON.parse(e.reply);
    } catch {
      break;
    }
    const b = Batch.safeParse(parsed);
    if (!b.success || out.wall.length + b.data.wall.length > CLOCK_READINGS_CAP || out.monotonic.length + b.data.monotonic.length > CLOCK_READINGS_CAP) break;
    out.wall.push(...b.data.wall);
    out.monotonic.push(...b.data.monotonic);
  }
  return out.wall.length || out.monotonic.length ? out : null;
}
