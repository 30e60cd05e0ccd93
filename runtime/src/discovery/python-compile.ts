// CPython's verdict on a file that tree-sitter cannot read. tree-sitter only knows that
// something is wrong, not what CPython will say, so the language server and the CLI ask the
// host's python3 the same question when it is CPython 3.11 too (the sandbox's version);
// otherwise they say where tree-sitter stopped making sense of the file.
import { PythonLines, SANDBOX_PYTHON_ONLY } from '../host-python';

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
  private readonly python: PythonLines;

  constructor(python = process.env.CAPSULE_PYTHON || 'python3') {
    this.python = new PythonLines(python, SCRIPT, ANSWER_TIMEOUT_MS);
  }

  /** Why python3 cannot be asked (absent, another version), once known. */
  get unavailable(): string | null {
    return this.python.unavailable;
  }

  /** CPython's error for this text (null: it compiles); undefined when python3 cannot tell. */
  async check(text: string | Uint8Array, path: string): Promise<Answer> {
    const source = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    const line = await this.python.ask(`${JSON.stringify({ path, size: source.byteLength })}\n`, source);
    if (line === undefined) return undefined;
    const answer = JSON.parse(line) as CompileError | null | 'unknown';
    return answer === 'unknown' ? undefined : answer;
  }

  /** Stops python3 (questions in flight get undefined). */
  dispose(): void {
    this.python.dispose();
  }
}

/** What tree-sitter alone can say: the place it stopped making sense of the file. */
export const TREE_SITTER_SYNTAX_MESSAGE = 'SyntaxError: invalid syntax (capsule run refuses a file that does not compile)';
