// The clocks one task sees (wasi:clocks), and what it read from them. A task's readings
// are noted in order (up to CLOCK_READINGS_CAP per clock) for the run's journal; a
// resumed or replayed task is given its recorded readings back, in order, then the live
// clocks: the wall clock as it is, the monotonic clock going on from the last recorded
// reading at the real rate (it never goes back).
import { CLOCK_READINGS_CAP, type ClockReadings } from '../types';
import { monotonicNow } from './streams';

export class TaskClock {
  private wallAt = 0;
  private monoAt = 0;
  /** Guest monotonic time = host monotonic time + this (0 until a recorded reading is served). */
  private offset = 0n;
  private lastMono = 0n;
  private live: boolean;
  private noted = { wall: 0, monotonic: 0 };
  private taken: ClockReadings = { wall: [], monotonic: [] };

  /** `recorded`: readings to give back first; `noting`: keep what is read, for the journal. */
  constructor(private readonly recorded: ClockReadings | null, private readonly noting: boolean) {
    this.live = recorded === null;
  }

  /** A clock for an instance that has no task yet: live, nothing noted. */
  static unassigned(): TaskClock {
    return new TaskClock(null, false);
  }

  /** Milliseconds since the epoch. */
  wallMs(): number {
    const r = this.recorded;
    const ms = !this.live && r && this.wallAt < r.wall.length ? r.wall[this.wallAt++]! : Date.now();
    this.note('wall', ms);
    return ms;
  }

  /** Nanoseconds since the instance started. */
  monotonicNs(): bigint {
    const r = this.recorded;
    const host = monotonicNow();
    let ns: bigint;
    if (!this.live && r && this.monoAt < r.monotonic.length) {
      ns = BigInt(r.monotonic[this.monoAt++]!);
      this.offset = ns - host;
    } else {
      ns = host + this.offset;
    }
    if (ns < this.lastMono) ns = this.lastMono;
    this.lastMono = ns;
    this.note('monotonic', Number(ns));
    return ns;
  }

  /** A guest monotonic instant (subscribe-instant) on the host's monotonic clock. */
  toHost(guestNs: bigint): bigint {
    return guestNs - this.offset;
  }

  /** The run went live (a resume diverged): recorded readings are no longer given back. */
  goLive(): void {
    this.live = true;
  }

  /** The readings noted since the last call, or null if none. */
  drain(): ClockReadings | null {
    if (this.taken.wall.length === 0 && this.taken.monotonic.length === 0) return null;
    const out = this.taken;
    this.taken = { wall: [], monotonic: [] };
    return out;
  }

  private note(which: keyof ClockReadings, value: number): void {
    if (!this.noting || this.noted[which] >= CLOCK_READINGS_CAP) return;
    this.noted[which]++;
    this.taken[which].push(value);
  }
}
