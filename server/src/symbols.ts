// Document symbols: one per task, named by its task name, detailed by its limits.
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver';
import type { DiscoveredTask } from '../../runtime/src/discovery/index';
import { rangeOf } from './diagnostics';
import { configSummary } from './lenses';

export function taskSymbols(tasks: DiscoveredTask[]): DocumentSymbol[] {
  return tasks.filter((t) => !t.unreachable).map((t) => ({
    name: t.name,
    detail: t.config ? `@task · ${configSummary(t.config)}` : '@task · config errors',
    kind: SymbolKind.Function,
    range: rangeOf(t.span),
    selectionRange: rangeOf(t.nameSpan),
  }));
}
