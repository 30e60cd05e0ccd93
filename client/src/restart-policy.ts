// When the language server dies: restart with a growing delay, and give up after a burst,
// so a server that crashes at start never loops. Pure, so it is tested in plain Node.

export const CRASH_WINDOW_MS = 3 * 60_000;
export const MAX_CRASHES = 5;

export type RestartDecision = { action: 'restart'; delayMs: number } | { action: 'giveUp'; crashes: number };

/** Records a crash at `now` into `recent` (timestamps) and decides what to do. */
export function onServerCrash(recent: number[], now: number): { recent: number[]; decision: RestartDecision } {
  const kept = [...recent.filter((t) => now - t < CRASH_WINDOW_MS), now];
  if (kept.length >= MAX_CRASHES) return { recent: kept, decision: { action: 'giveUp', crashes: kept.length } };
  return { recent: kept, decision: { action: 'restart', delayMs: Math.min(30_000, 500 * 2 ** (kept.length - 1)) } };
}
