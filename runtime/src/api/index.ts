// The public API (`capsule-vscode/runtime`): run a task file, or a code string,
// in the sandbox from host code. One pool keeps warm sandboxes for repeated runs;
// each project gets one engine (its trace and journal) on that pool.
import { resolve } from 'node:path';
import { Engine } from '../engine/engine';
import { ConfigError } from '../engine/errors';
import type { Envelope, LifecycleEvent, Mount } from '../engine/types';
import { projectRootFor } from '../config/project-root';
import { SandboxPool } from '../sandbox/index';
import { CELL_FILE, cellProject, type CodeLimits } from './code-cell';
import { Session, type SessionOptions } from './session';

export type { Envelope, LifecycleEvent, Mount } from '../engine/types';
export type { CodeLimits } from './code-cell';
export { Session, SessionError, type CellOutcome, type SessionOptions } from './session';

export interface RunOptions {
  /** The task file (absolute, or relative to the current directory). */
  file: string;
  /** The task's name (default "main"). */
  task?: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  /** Extra host directories, as the CLI's --mount (the task's own allowed_files apply too). */
  mounts?: Mount[];
  /** Default: as the CLI decides (the nearest folder above the file with a capsule.toml, else the current directory if it holds the file, else the file's folder). */
  projectRoot?: string;
  /** Aborting it cancels the run (the envelope then says interrupted). */
  signal?: AbortSignal;
  /** Every lifecycle event of the run and its sub-tasks, and their output. */
  onEvent?: (e: LifecycleEvent) => void;
}

export interface RunCodeOptions extends CodeLimits {
  /** Values the code can read from os.environ (and nothing else of the host's environment). */
  env?: Record<string, string>;
  mounts?: Mount[];
  signal?: AbortSignal;
  onEvent?: (e: LifecycleEvent) => void;
}

/** What runCode returns: the envelope, whose result is the value of the code's last expression, and its output. */
export interface CodeResult extends Envelope {
  stdout: string;
  stderr: string;
}

export interface CapsulePool {
  run(opts: RunOptions): Promise<Envelope>;
  runCode(code: string, opts?: RunCodeOptions): Promise<CodeResult>;
  /** A sandbox whose interpreter state persists across calls (close it when done). */
  session(opts?: SessionOptions): Session;
  /** Cancels what runs, stops the sandboxes; the pool cannot be used afterwards. */
  dispose(): Promise<void>;
}

export interface PoolOptions {
  /** Sandboxes kept booted and waiting (default 1). */
  spares?: number;
}

export function createSandboxPool(opts: PoolOptions = {}): CapsulePool {
  const sandbox = new SandboxPool({ spares: opts.spares ?? 1 });
  const engines = new Map<string, Engine>();
  let disposed = false;
  const engineFor = (projectRoot: string, trace: boolean): Engine => {
    if (disposed) throw new Error('capsule: this pool was disposed; create another with createSandboxPool()');
    const key = `${trace}:${projectRoot}`;
    let e = engines.get(key);
    if (!e) {
      e = new Engine({ projectRoot, sandbox, ...(trace ? {} : { tracePath: null }), onWarning: () => {} });
      engines.set(key, e);
    }
    return e;
  };

  async function runIn(engine: Engine, req: Parameters<Engine['start']>[0], o: { signal?: AbortSignal; onEvent?: (e: LifecycleEvent) => void }): Promise<Envelope> {
    if (o.signal?.aborted) throw new Error('capsule: the signal was already aborted; nothing ran');
    const handle = engine.start(req);
    const sub = o.onEvent ? handle.onEvent(o.onEvent) : null;
    const onAbort = (): void => handle.cancel();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await handle.result;
    } finally {
      o.signal?.removeEventListener('abort', onAbort);
      sub?.dispose();
    }
  }

  return {
    run(o: RunOptions): Promise<Envelope> {
      const file = resolve(o.file);
      const root = o.projectRoot ? resolve(o.projectRoot) : projectRootFor(file, [process.cwd()]);
      return runIn(engineFor(root, true), { file, taskName: o.task ?? 'main', args: o.args ?? [], kwargs: o.kwargs ?? {}, mounts: o.mounts ?? [] }, o);
    },
    async runCode(code: string, o: RunCodeOptions = {}): Promise<CodeResult> {
      if (typeof code !== 'string') throw new TypeError('capsule: runCode takes the code as a string');
      const project = cellProject(code, o, o.env ?? {});
      let engine: Engine | undefined;
      let stdout = '';
      let stderr = '';
      try {
        engine = new Engine({ projectRoot: project.dir, sandbox, tracePath: null, onWarning: () => {} });
        const env = await runIn(engine, { file: CELL_FILE, taskName: 'cell', mounts: o.mounts ?? [] }, {
          ...(o.signal ? { signal: o.signal } : {}),
          onEvent: (e) => {
            if (e.type === 'stdout') stdout += e.text ?? '';
            if (e.type === 'stderr') stderr += e.text ?? '';
            o.onEvent?.(e);
          },
        });
        return Object.assign(env, { stdout, stderr });
      } catch (e) {
        // The limits were the caller's options, not a file of theirs: name the option, not the generated file.
        if (e instanceof ConfigError) throw new ConfigError(e.problems.map((p) => ({ file: 'runCode', line: 0, column: 0, message: p.message.replace(/^task "cell": /, '') })));
        throw e;
      } finally {
        try {
          await engine?.settled(); // the shared pool may still be writing the cell's bytecode into its project
          await engine?.dispose();
        } finally {
          project.done();
        }
      }
    },
    session(o: SessionOptions = {}): Session {
      if (disposed) throw new Error('capsule: this pool was disposed; create another with createSandboxPool()');
      return Session.open(sandbox, o);
    },
    async dispose(): Promise<void> {
      if (disposed) return;
      disposed = true;
      await Promise.all([...engines.values()].map((e) => e.dispose()));
      await sandbox.dispose();
    },
  };
}

let shared: CapsulePool | null = null;

/** Runs a task file in the shared pool (made on first use). */
export function run(opts: RunOptions): Promise<Envelope> {
  shared ??= createSandboxPool();
  return shared.run(opts);
}

/** Runs a code string as a task's body in the shared pool: its last expression's value is the result. */
export function runCode(code: string, opts?: RunCodeOptions): Promise<CodeResult> {
  shared ??= createSandboxPool();
  return shared.runCode(code, opts);
}

/** Disposes of the shared pool, so that the process can exit. */
export async function shutdown(): Promise<void> {
  const p = shared;
  shared = null;
  await p?.dispose();
}
