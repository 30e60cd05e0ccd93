// A Session: one sandbox whose interpreter stays up across calls, for an agent that
// runs code step by step (a notebook, a code interpreter). Its root task is a guest
// loop that asks the host for the next cell (session.next) and answers with the
// cell's outcome; variables and imports persist between cells. The session's ram
// and compute cover the whole session; each call has its own timeout, past which
// the session is stopped. A writable scratch directory (/scratch) lives as long as
// the session and is removed with it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../engine/engine';
import type { SessionChannel } from '../engine/host-calls';
import type { SandboxPoolLike } from '../engine/sandbox-port';
import type { Envelope, TaskHandle } from '../engine/types';
import { decoratorArgs, type CodeLimits } from './code-cell';

export interface SessionOptions extends CodeLimits {
  /** Each call's time limit (default 30 s): past it the session is stopped. */
  callTimeoutMs?: number;
}

/** One cell's outcome: its last expression's value, or the exception it raised; its output. */
export interface CellOutcome {
  ok: boolean;
  result: unknown;
  error: string | null;
  traceback: string | null;
  stdout: string;
  stderr: string;
}

export class SessionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SessionError';
  }
}

const LOOP = `import ast as _ast, json as _json, sys as _sys, traceback as _tb
from capsule import task
from capsule._hostcall import call as _call

@task(name="session", ARGS)
def session():
    scope = {"__name__": "__main__", "__builtins__": __builtins__}
    reply = None
    while True:
        _sys.stdout.flush()
        _sys.stderr.flush()
        req = _call("session.next", {"reply": reply})
        if req.get("end"):
            return None
        try:
            tree = _ast.parse(req["code"], "<cell>", "exec")
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], _ast.Expr) else None
            exec(compile(tree, "<cell>", "exec"), scope)
            value = eval(compile(_ast.Expression(last.value), "<cell>", "eval"), scope) if last else None
            try:
                _json.dumps(value, allow_nan=False)
            except (TypeError, ValueError):
                value = {"repr": repr(value)}
            reply = {"ok": True, "result": value}
        except BaseException as e:
            # The cell's own frames only: the loop's frame is dropped.
            tb = "".join(_tb.format_exception(type(e), e, e.__traceback__.tb_next))
            reply = {"ok": False, "error": f"{type(e).__name__}: {e}", "traceback": tb}
`;

interface Pending { code: string; resolve(o: CellOutcome): void; reject(e: Error): void; stdout: string; stderr: string }

export class Session {
  private readonly queue: Pending[] = [];
  private current: Pending | null = null;
  private waiting: ((next: { code: string } | { end: true }) => void) | null = null;
  private closing = false;
  private ended: string | null = null;
  private timer: NodeJS.Timeout | undefined;
  private readonly handle: TaskHandle;
  readonly done: Promise<Envelope>;

  private constructor(private readonly engine: Engine, private readonly dir: string, private readonly callTimeoutMs: number) {
    const channel: SessionChannel = { next: (reply) => this.next(reply) };
    this.handle = engine.start({ file: 'session.py', taskName: 'session', session: channel, mounts: [{ hostPath: join(dir, 'scratch'), guestPath: '/scratch', readOnly: false }] });
    this.handle.onEvent((e) => {
      if (e.instanceId !== this.handle.instanceId || !this.current) return;
      if (e.type === 'stdout') this.current.stdout += e.text ?? '';
      if (e.type === 'stderr') this.current.stderr += e.text ?? '';
    });
    this.done = this.handle.result.then(
      (env) => (this.end(env.success ? 'the session was closed' : `the session ended: ${env.error?.error_type}: ${env.error?.message}`), env),
      (e: unknown) => {
        this.end(`the session could not start: ${(e as Error).message}`);
        throw e;
      },
    );
    this.done.catch(() => {});
  }

  /** Opens a session on `sandbox` (a pool's); throws a ConfigError for bad limits once the first call is made. */
  static open(sandbox: SandboxPoolLike, opts: SessionOptions = {}): Session {
    const dir = mkdtempSync(join(tmpdir(), 'capsule-session-'));
    mkdirSync(join(dir, 'scratch'));
    writeFileSync(join(dir, 'session.py'), LOOP.replace('ARGS', decoratorArgs(opts, []).join(', ')));
    const engine = new Engine({ projectRoot: dir, sandbox, tracePath: null, onWarning: () => {} });
    return new Session(engine, dir, opts.callTimeoutMs ?? 30_000);
  }

  /** Runs one cell in the session's interpreter; what earlier cells defined is there. */
  run(code: string): Promise<CellOutcome> {
    if (typeof code !== 'string') return Promise.reject(new TypeError('Session.run takes the code as a string'));
    if (this.ended || this.closing) return Promise.reject(new SessionError(this.ended ?? 'the session is closing'));
    return new Promise((resolve, reject) => {
      this.queue.push({ code, resolve, reject, stdout: '', stderr: '' });
      this.dispatch();
    });
  }

  /** Ends the session (after the calls already made), and removes its scratch directory. */
  async close(): Promise<void> {
    this.closing = true;
    this.dispatch();
    await this.done.catch(() => {});
    await this.engine.settled(); // the shared pool may still be writing the session's bytecode into dir
    await this.engine.dispose();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private next(reply: unknown): Promise<{ code: string } | { end: true }> {
    clearTimeout(this.timer);
    const cur = this.current;
    this.current = null;
    if (cur) {
      const r = (reply ?? {}) as { ok?: boolean; result?: unknown; error?: string; traceback?: string };
      cur.resolve({ ok: r.ok === true, result: r.ok ? (r.result ?? null) : null, error: r.ok ? null : String(r.error ?? 'failed'), traceback: r.ok ? null : String(r.traceback ?? ''), stdout: cur.stdout, stderr: cur.stderr });
    }
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.dispatch();
    });
  }

  /** Hands the guest its next cell when it is waiting for one. */
  private dispatch(): void {
    if (!this.waiting || this.current) return;
    const give = this.waiting;
    const cell = this.queue.shift();
    if (!cell) {
      if (this.closing) {
        this.waiting = null;
        give({ end: true });
      }
      return;
    }
    this.waiting = null;
    this.current = cell;
    this.timer = setTimeout(() => {
      this.end(`a call ran past its ${this.callTimeoutMs} ms limit; the session was stopped`);
      this.handle.cancel();
    }, this.callTimeoutMs);
    give({ code: cell.code });
  }

  private end(why: string): void {
    clearTimeout(this.timer);
    this.ended ??= why;
    for (const p of [...(this.current ? [this.current] : []), ...this.queue.splice(0)]) p.reject(new SessionError(this.ended));
    this.current = null;
  }
}
