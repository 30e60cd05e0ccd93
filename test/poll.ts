// The one way tests wait: poll a probe until it gives a value, within a deadline.
// Nothing sleeps blindly; the deadline is generous (a loaded 2-core CI), and only
// says when to give up, never how fast something must be.

type Falsy = undefined | null | false;

/**
 * Resolves with the first value `probe` gives that is not undefined, null or false,
 * checking every `stepMs`; rejects after `ms` naming `what` (a function is read then,
 * for messages that include late state such as a server's stderr). A probe that
 * throws an AssertionError stops the wait (the state can no longer come); other
 * errors are retried, and the last one is reported.
 */
export async function poll<T>(what: string | (() => string), probe: () => T | Falsy | Promise<T | Falsy>, ms = 30_000, stepMs = 20): Promise<T> {
  const deadline = Date.now() + ms;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== null && v !== false) return v;
    } catch (err) {
      if ((err as Error)?.name === 'AssertionError') throw err;
      lastErr = err;
    }
    if (Date.now() > deadline) {
      const name = typeof what === 'function' ? what() : what;
      throw new Error(`timed out after ${ms} ms waiting for ${name}${lastErr ? ` (last error: ${(lastErr as Error).message})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
