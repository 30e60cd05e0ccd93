// Static task discovery, shared by the language server and the CLI.
import { loadedParser, parseSource, type Parser } from './parser';
import { discoverInTree, type DiscoveredTask, type DiscoverOptions } from './tasks';

export { initParser, parseSource } from './parser';
export { discoverInTree } from './tasks';
export { IncrementalDiscovery, type TextEdit, type Lines, type TaskChange } from './incremental';
export { blockedCallers, CallerCheck } from './callees';
export { TaskNames, MAX_LISTED_SITES } from './duplicates';
export type { TaskSite, DuplicateProblem } from './duplicates';
export type { DiscoveredTask, DiscoverOptions } from './tasks';
export { spanOf } from './values';

/** Tasks in source text (`initParser()` must have resolved, or pass `parser`). */
export function discoverTasks(input: string, opts: DiscoverOptions & { parser?: Parser } = {}): DiscoveredTask[] {
  const parser = opts.parser ?? loadedParser();
  if (!parser) throw new Error('discoverTasks: the parser is not loaded yet; await initParser() first');
  const tree = parseSource(parser, input);
  try {
    return discoverInTree(tree, input, opts);
  } finally {
    tree.delete();
  }
}
