// Connections to the queue's Redis. A first probe fails fast and clearly (an address
// that does not answer is an error within seconds, not a hang); the long-lived
// connections after it reconnect for ever, so a Redis restart is ridden out.
import { Redis } from 'ioredis';
import type { QueueUrl } from './url';

export class QueueUnreachable extends Error {}

/** How long the first contact may take. */
export const PROBE_MS = 3_000;

export function redisOptions(url: QueueUrl) {
  return {
    host: url.host,
    port: url.port,
    db: url.db,
    ...(url.username ? { username: url.username } : {}),
    ...(url.password ? { password: url.password } : {}),
    // BullMQ's blocking commands need this; a command waits for a reconnect instead of failing.
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times: number) => Math.min(200 * times, 2_000),
  };
}

/** One connection that answers PING within PROBE_MS, or QueueUnreachable saying why. */
export async function probe(url: QueueUrl): Promise<void> {
  const client = new Redis({ ...redisOptions(url), lazyConnect: true, connectTimeout: PROBE_MS, maxRetriesPerRequest: 0, retryStrategy: () => null });
  let lastError = '';
  client.on('error', (e: Error) => (lastError = e.message));
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      (async () => {
        await client.connect();
        await client.ping();
      })(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_MS / 1000} s`)), PROBE_MS))),
    ]);
  } catch (e) {
    const why = lastError || (e as Error).message;
    throw new QueueUnreachable(`cannot reach the queue's Redis at ${url.shown} (${why}); is redis-server running there, and the address right?`);
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

export function connect(url: QueueUrl, name: string): Redis {
  const r = new Redis({ ...redisOptions(url), connectionName: name });
  // Errors while reconnecting are reported by the owner's 'error' listener; never unhandled.
  r.on('error', () => {});
  return r;
}
