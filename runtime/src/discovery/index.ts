// Static task discovery, shared by the language server and the CLI.
import type { Tree } from 'web-tree-sitter';
import { loadedParser, parseSource, type Parser } from './parser';
import { discoverInTree, type DiscoveredTask, type DiscoverOptions } from './tasks';

export { initParser, parseSource } from './parser';
export { discoverInTree } from './tasks';
export { TaskReuse } from './reuse';
export { blockedCallers } from './callees';
export { TaskNames, MAX_LISTED_SITES } from './duplicates';
export type { TaskSite, DuplicateProblem } from './duplicates';
export type { DiscoveredTask, DiscoverOptions } from './tasks';
export { spanOf } from './values';

/**
 * Tasks in a tree, or in source text (then `initParser()` must have resolved, or pass
 * `parser`). The tree is the caller's; a tree made here from text is deleted here.
 */
export function discoverTasks(input: Tree | string, opts: DiscoverOptions & { parser?: Parser } = {}): DiscoveredTask[] {
  if (typeof input !== 'string') return discoverInTree(input, opts);
  const parser = opts.parser ?? loadedParser();
  if (!parser) throw new Error('discoverTasks: the parser is not loaded yet; await initParser() first');
  const tree = parseSource(parser, input);
  try {
    return discoverInTree(tree, opts);
  } finally {
    tree.delete();
  }
}
