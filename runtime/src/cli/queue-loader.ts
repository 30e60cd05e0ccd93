// The queue code (BullMQ, ioredis) is its own bundle, dist/queue.js, required only when a
// queue is used: a local `capsule run` never loads or parses it.
import { basename, join } from 'node:path';

export type QueueModule = typeof import('../queue/index');

export async function loadQueue(): Promise<QueueModule> {
  if (basename(__dirname) === 'dist') return require(join(__dirname, 'queue.js')) as QueueModule;
  // From the sources (tests through tsx's require hook): a path esbuild does not follow.
  const source = '../queue/index';
  return require(source) as QueueModule;
}
