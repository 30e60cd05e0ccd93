// A file CPython will not compile is refused by `capsule run` with CPython's message at
// file:line:col (the sandbox's CPython 3.11 compiles it before the run). tree-sitter
// only knows that something is wrong, not what CPython will say, so when it finds an
// error the server asks the host's python3 the same question, if it is CPython 3.11
// too; else the error is shown where tree-sitter found it.
import { execFile } from 'node:child_process';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import { SOURCE } from './diagnostics';

export interface CompileError { type: string; message: string; line: number; column: number }

const SCRIPT = `import sys, json
if sys.implementation.name != "cpython" or sys.version_info[:2] != (3, 11):
    sys.exit(3)
try:
    compile(sys.stdin.buffer.read(), sys.argv[1], "exec", dont_inherit=True)
except SyntaxError as e:
    print(json.dumps({"type": type(e).__name__, "message": e.msg, "line": e.lineno or 1, "column": e.offset or 1}))
`;

export class SyntaxCheck {
  /** Why python3 cannot be asked (absent, another version), once known. */
  unavailable: string | null = null;

  constructor(private readonly python = process.env.CAPSULE_PYTHON || 'python3') {}

  /** CPython's error for this text (null: it compiles); undefined when python3 cannot tell. */
  check(text: string, path: string): Promise<CompileError | null | undefined> {
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
      child.stdin?.end(text);
    });
  }
}

/** CPython's error as a diagnostic, where `capsule run` puts it (its line:col are 1-based). */
export function compileDiagnostic(e: CompileError): Diagnostic {
  const at = { line: Math.max(0, e.line - 1), character: Math.max(0, e.column - 1) };
  return { range: { start: at, end: at }, severity: DiagnosticSeverity.Error, source: SOURCE, message: `${e.type}: ${e.message}` };
}

/** Without python3 to ask: the place tree-sitter stopped making sense of the file. */
export function treeSitterSyntaxError(at: { line: number; column: number }): Diagnostic {
  const pos = { line: at.line, character: at.column };
  return { range: { start: pos, end: pos }, severity: DiagnosticSeverity.Error, source: SOURCE, message: 'SyntaxError: invalid syntax (capsule run refuses a file that does not compile)' };
}

