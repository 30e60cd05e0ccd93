// CPython's verdict on a file that tree-sitter cannot read. tree-sitter only knows that
// something is wrong, not what CPython will say, so the language server and the CLI ask the
// host's python3 the same question when it is CPython 3.11 too (the sandbox's version);
// otherwise they say where tree-sitter stopped making sense of the file.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { hostPython, pythonUnavailable, SANDBOX_PYTHON_ONLY } from '../host-python';

export interface CompileError { type: string; message: string; line: number; column: number }

// One python3 answers every question, in order: a header line (the path, the source's
// size in bytes), then the source; one JSON line back (null: it compiles; "unknown":
// compile() failed otherwise, e.g. on a NUL byte). Starting a python3 per question cost
// ~30 ms of CPU each, and a workspace opening 200 files asked 200 at once.
const SCRIPT = `${SANDBOX_PYTHON_ONLY}import json
for header in iter(sys.stdin.buffer.readline, b""):
    question = json.loads(header)
    source = sys.stdin.buffer.read(question["size"])
    try:
        compile(source, question["path"], "exec", dont_inherit=True)
        answer = None
    except SyntaxError as e:
        answer = {"type": type(e).__name__, "message": e.msg, "line": e.lineno or 1, "column": e.offset or 1}
    except Exception:
        answer = "unknown"
    sys.stdout.write(json.dumps(answer) + "\\n")
    sys.stdout.flush()
`;

/** How long one answer may take before python3 is stopped (and started again for the next question). */
const ANSWER_TIMEOUT_MS = 10_000;

type Answer = CompileError | null | undefined;

export class PythonCompile {
  /** Why python3 cannot be asked (absent, another version), once known. */
  unavailable: string | null = null;
  private child: ChildProcess | null = null;
  private readonly waiting: Array<(a: Answer) => void> = [];
  private received = '';
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly python = process.env.CAPSULE_PYTHON || 'python3') {}

  /** CPython's error for this text (null: it compiles); undefined when python3 cannot tell. */
  async check(text: string | Uint8Array, path: string): Promise<Answer> {
    if (this.unavailable) return undefined;
    const python = await hostPython(this.python);
    if (this.unavailable) return undefined;
    const child = this.child ?? this.start(python);
    const source = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.keepAlive(true);
      child.stdin!.write(`${JSON.stringify({ path, size: source.byteLength })}\n`);
      child.stdin!.write(source);
    });
  }

  /** Stops python3 (questions in flight get undefined). */
  dispose(): void {
    this.stop(this.child);
  }

  private start(python: string): ChildProcess {
    const child = spawn(python, ['-I', '-c', SCRIPT], { stdio: ['pipe', 'pipe', 'ignore'] });
    this.child = child;
    this.received = '';
    child.stdin!.on('error', () => undefined); // python3 gone: reported by 'exit' or 'error'
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => this.receive(chunk));
    child.on('error', (e: NodeJS.ErrnoException) => {
      this.unavailable ??= pythonUnavailable(this.python, e);
      this.stop(child);
    });
    child.on('exit', (code) => {
      this.unavailable ??= pythonUnavailable(this.python, null, code);
      this.stop(child);
    });
    return child;
  }

  private receive(chunk: string): void {
    this.received += chunk;
    for (let nl = this.received.indexOf('\n'); nl >= 0; nl = this.received.indexOf('\n')) {
      const line = this.received.slice(0, nl);
      this.received = this.received.slice(nl + 1);
      const answer = JSON.parse(line) as CompileError | null | 'unknown';
      this.waiting.shift()?.(answer === 'unknown' ? undefined : answer);
    }
    this.keepAlive(this.waiting.length > 0);
  }

  /** While questions wait, python3 keeps the process alive and has ANSWER_TIMEOUT_MS per answer; idle, it lets it exit. */
  private keepAlive(on: boolean): void {
    const child = this.child;
    if (!child) return;
    for (const h of [child, child.stdin as Socket | null, child.stdout as Socket | null]) (on ? h?.ref() : h?.unref());
    if (this.timer) clearTimeout(this.timer);
    this.timer = on ? setTimeout(() => this.stop(child), ANSWER_TIMEOUT_MS) : null;
  }

  private stop(child: ChildProcess | null): void {
    if (!child || child !== this.child) return;
    this.child = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    child.kill();
    for (const resolve of this.waiting.splice(0)) resolve(undefined);
  }
}

/** What tree-sitter alone can say: the place it stopped making sense of the file. */
export const TREE_SITTER_SYNTAX_MESSAGE = 'SyntaxError: invalid syntax (capsule run refuses a file that does not compile)';
