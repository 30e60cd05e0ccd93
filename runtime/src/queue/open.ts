// A queue as an engine's sandbox pool: `capsule run --queue` and the editor's "Run on
// queue" open it here, so both run the same engine the same way. No dependencies of its
// own: BullMQ and ioredis (dist/queue.js) load on the first call, never before.
import type { SandboxPoolLike } from '../engine/sandbox-port';
import { loadQueue } from '../cli/queue-loader';
import type { QueueUrl } from './url';

/** Sub-tasks per nesting level a queue run keeps in flight (jobs in Redis; the workers decide how many run). */
export const QUEUE_SUBTASKS_IN_FLIGHT = 256;

/** Redis did not answer the first contact (the message says where and why). */
export class QueueNotReached extends Error {}

/** What Engine.create takes to run every attempt on the queue's workers. */
export interface QueueSandbox {
  sandbox: SandboxPoolLike;
  /** On a queue the workers' concurrency bounds what runs; here a sub-task in flight is only a job. */
  maxConcurrentSubtasks: number;
}

/** Connects within seconds (QueueNotReached when Redis does not answer); dispose `sandbox` after the engine. */
export async function openQueueSandbox(url: QueueUrl, onWarning: (message: string) => void): Promise<QueueSandbox> {
  const q = await loadQueue();
  try {
    return { sandbox: await q.QueuePool.connect({ url, onWarning }), maxConcurrentSubtasks: QUEUE_SUBTASKS_IN_FLIGHT };
  } catch (e) {
    if (e instanceof q.QueueUnreachable) throw new QueueNotReached(e.message);
    throw e;
  }
}
