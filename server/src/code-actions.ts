// Quick fixes: each fix a schema problem carries (normalise a value, rename a mistyped
// parameter, add the missing import) becomes a code action on that diagnostic; the
// first, the most likely meaning, is preferred.
import { CodeActionKind, type CodeAction, type Diagnostic } from 'vscode-languageserver';
import { SOURCE, type FixData } from './diagnostics';

export function quickFixes(uri: string, diagnostics: Diagnostic[]): CodeAction[] {
  const actions: CodeAction[] = [];
  for (const d of diagnostics) {
    if (d.source !== SOURCE) continue;
    const fixes = (d.data as FixData | undefined)?.fixes ?? [];
    fixes.forEach((fix, i) => {
      actions.push({
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [d],
        isPreferred: i === 0 && fixes.length === 1,
        edit: { changes: { [uri]: [{ range: fix.range, newText: fix.newText }] } },
      });
    });
  }
  return actions;
}
