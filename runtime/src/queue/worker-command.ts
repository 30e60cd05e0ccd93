// `capsule worker`'s life: start, say where it takes tasks from, a heartbeat line
// (or, on a terminal, one status line kept up to date), and a graceful stop on
// SIGTERM or Ctrl-C (a second signal hands the running tasks back at once).
import { QueueWorker, type WorkerOptions } from './queue-worker';

export interface WorkerCommandOptions extends Omit<WorkerOptions, 'log'> {
  /** Seconds between heartbeat lines (not on a terminal). */
  heartbeatS: number;
}

export async function workerCommand(o: WorkerCommandOptions, io: { out: NodeJS.WritableStream; err: NodeJS.WritableStream }): Promise<number> {
  const tty = (io.out as { isTTY?: boolean }).isTTY === true;
  const say = (line: string): void => void io.out.write(tty ? `\r\x1b[K${line}\n` : `${line}\n`);
  const worker = await QueueWorker.start({ ...o, log: say });
  const s = worker.stats;
  const status = (): string => `${s.running} running, ${s.completed} completed, ${s.failed} failed, ${s.handedBack} handed back`;
  say(`capsule worker ${worker.id}: taking tasks from ${o.url.shown}, ${o.concurrency} at a time per nesting level (code cache ${o.cacheDir}, files ${o.files.root})`);
  const beat = tty
    ? setInterval(() => io.out.write(`\r\x1b[K● worker ${worker.id} · ${status()}`), 1_000)
    : setInterval(() => say(`capsule worker ${worker.id}: heartbeat ${new Date().toISOString()}: ${status()}`), o.heartbeatS * 1_000);
  await new Promise<void>((resolve) => {
    let signals = 0;
    const onSignal = (sig: NodeJS.Signals): void => {
      if (++signals > 1) {
        say(`capsule worker ${worker.id}: ${sig} again: handing back ${s.running} running task(s) now`);
        worker.handBackAll();
        return;
      }
      say(`capsule worker ${worker.id}: ${sig}: taking no new tasks; ${s.running} running get ${o.graceMs / 1000} s to finish, then are handed back`);
      void worker.stop().then(resolve, resolve);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  clearInterval(beat);
  say(`capsule worker ${worker.id}: stopped: ${status()}`);
  return 0;
}
