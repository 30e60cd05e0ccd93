// CPython's verdict on a file that tree-sitter cannot read. tree-sitter only knows that
// something is wrong, not what CPython will say, so the language server and the CLI ask the
// host's python3 the same question when it is CPython 3.11 too (the sandbox's version);
// otherwise they say where tree-sitter stopped making sense of the file.
import { execFile } from 'node:child_process';

export interface CompileError { type: string; message: string; line: number; column: number }

const SCRIPT = `import sys, json
if sys.implementation.name != "cpython" or sys.version_info[:2] != (3, 11):
    sys.exit(3)
try:
    compile(sys.stdin.buffer.read(), sys.argv[1], "exec", dont_inherit=True)
except SyntaxError as e:
    print(json.dumps({"type": type(e).__name__, "message": e.msg, "line": e.lineno or 1, "column": e.offset or 1}))
`;

export class PythonCompile {
  /** Why python3 cannot be asked (absent, another version), once known. */
  unavailable: string | null = null;

  constructor(private readonly python = process.env.CAPSULE_PYTHON || 'python3') {}

  /** CPython's error for this text (null: it compiles); undefined when python3 cannot tell. */
  check(text: string | Uint8Array, path: string): Promise<CompileError | null | undefined> {
    if (this.unavailable) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const child = execFile(this.python, ['-I', '-c', SCRIPT, path], { timeout: 10_000, maxBuffer: 1024 * 1024 }, (err, stdout) => {
        const code = (err as { code?: unknown } | null)?.code;
        if (code === 'ENOENT') this.unavailable = `${this.python} not found`;
        else if (code === 3) this.unavailable = `${this.python} is not CPython 3.11`;
        if (err) return resolve(undefined);
        const line = stdout.trim();
        resolve(line ? (JSON.parse(line) as CompileError) : null);
      });
      child.stdin?.on('error', () => undefined); // python3 gone before reading: reported through the callback
      child.stdin?.end(text);
    });
  }
}

/** What tree-sitter alone can say: the place it stopped making sense of the file. */
export const TREE_SITTER_SYNTAX_MESSAGE = 'SyntaxError: invalid syntax (capsule run refuses a file that does not compile)';
