// The engine behind "Run on queue": the project's engine with the queue of
// capsule.queue.url as its sandbox pool (queue/open.ts, as `capsule run --queue`), so a
// queued run is the same run as a local one but for where its attempts execute. No
// vscode here (test/queue drives it with a real Redis and real workers). BullMQ loads
// on the first call, never at activation.
import type { EngineApi } from '../../runtime/src/engine/types';
import type { SandboxPoolLike } from '../../runtime/src/engine/sandbox-port';
import { parseQueueUrl, QueueUrlError } from '../../runtime/src/queue/url';

export const QUEUE_SETTING = 'capsule.queue.url';

export interface QueueEngineOptions {
  projectRoot: string;
  maxConcurrent: number;
  keepRuns: number;
  /** Redis warnings (a restart, a lost job); the engine's own warnings too. */
  warn(message: string): void;
}

/**
 * Opens the engine for `urlText`, the setting's value. Rejects with a message naming the
 * setting when it is empty, is not a queue URL, or its Redis does not answer (within seconds).
 * The caller disposes `sandbox` after the engine.
 */
export async function openQueueEngine(urlText: string, o: QueueEngineOptions): Promise<{ engine: EngineApi; sandbox: SandboxPoolLike }> {
  const setting = `the setting ${QUEUE_SETTING}`;
  if (urlText.trim() === '') throw new Error(`${setting} is empty: set it to the queue's redis://HOST:PORT[/DB] to run tasks on its workers (start them with: capsule worker --queue URL)`);
  let url;
  try {
    url = parseQueueUrl(urlText, setting);
  } catch (e) {
    throw e instanceof QueueUrlError ? new Error(e.message) : e;
  }
  // Required on first use, so an editor without a queue never loads BullMQ (a require
  // rather than import(): esbuild keeps both lazy, and tsx's require hook runs it under test).
  const { Engine } = require('../../runtime/src/engine/index') as typeof import('../../runtime/src/engine/index');
  const { openQueueSandbox, QueueNotReached } = require('../../runtime/src/queue/open') as typeof import('../../runtime/src/queue/open');
  const shown = url.shown;
  const warn = (m: string) => o.warn(`queue ${shown}: ${m}`);
  const queue = await openQueueSandbox(url, warn).catch((e: unknown) => {
    throw e instanceof QueueNotReached ? new Error(`${e.message} (${setting})`) : e;
  });
  try {
    const engine = await Engine.create({ projectRoot: o.projectRoot, maxConcurrent: o.maxConcurrent, keepRuns: o.keepRuns, onWarning: warn, ...queue });
    return { engine, sandbox: queue.sandbox };
  } catch (e) {
    await queue.sandbox.dispose();
    throw e;
  }
}
