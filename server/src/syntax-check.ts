// A file CPython will not compile is refused by `capsule run` with CPython's message at
// file:line:col: as a diagnostic, the same verdict (runtime/src/discovery/python-compile.ts).
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import { TREE_SITTER_SYNTAX_MESSAGE, type CompileError } from '../../runtime/src/discovery/python-compile';
import { SOURCE } from './diagnostics';

/** CPython's error as a diagnostic, where `capsule run` puts it (its line:col are 1-based). */
export function compileDiagnostic(e: CompileError): Diagnostic {
  const at = { line: Math.max(0, e.line - 1), character: Math.max(0, e.column - 1) };
  return { range: { start: at, end: at }, severity: DiagnosticSeverity.Error, source: SOURCE, message: `${e.type}: ${e.message}` };
}

/** Without python3 to ask: the place tree-sitter stopped making sense of the file. */
export function treeSitterSyntaxError(at: { line: number; column: number }): Diagnostic {
  const pos = { line: at.line, character: at.column };
  return { range: { start: pos, end: pos }, severity: DiagnosticSeverity.Error, source: SOURCE, message: TREE_SITTER_SYNTAX_MESSAGE };
}

