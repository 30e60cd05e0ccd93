// A definition's reading, kept by the editor between edits (incremental.ts): its task,
// and each question it asked about the rest of the file with the answer it got, so a
// later pass can tell whether the task must be read again.
import type { Span } from '../config/schema';
import type { Bindings, NameLookup } from './bindings';
import { follow, type Moved, type Query, type Reading } from './chunks';
import type { Node } from './parser';
import { taskOf, type DiscoverOptions, type TaskContext } from './tasks';

/** Reads a definition, recording each question it asks about the rest of the file. */
export function readDef(node: Node, place: string | null, names: Bindings, text: string, opts: DiscoverOptions, importPoint: () => Span, moved: Moved): Reading {
  const queries: Query[] = [];
  const defStart = node.startIndex;
  const lookup: NameLookup = {
    at: (name, index) => {
      const kind = names.at(name, index);
      queries.push({ kind: 'at', name, rel: index - defStart, answer: kind ?? '' });
      return kind;
    },
    bound: (name) => {
      const bound = names.bound(name);
      queries.push({ kind: 'bound', name, rel: 0, answer: String(bound) });
      return bound;
    },
    constant: (name, index) => {
      queries.push({ kind: 'const', name, rel: index - defStart, answer: constantAnswer(names, name, index) });
      return names.constant(name, index);
    },
  };
  const ctx: TaskContext = {
    names: lookup,
    text,
    opts,
    importPoint: () => {
      const p = importPoint();
      queries.push({ kind: 'import', name: '', rel: 0, answer: `${p.startIndex}:${p.start.line}` });
      return p;
    },
  };
  const task = taskOf(node, place, ctx);
  if (task) follow(task, defStart, node.endIndex, moved);
  return { task, queries };
}

function constantAnswer(names: Bindings, name: string, index: number): string {
  const c = names.constantEntry(name);
  // Where its value is, too: spans read from it (a list's items) are where the value is.
  return c ? `${c.text}@${c.line}:${c.index}:${c.valueStart}:${c.index < index}` : '';
}

export function stillHolds(queries: Query[], names: Bindings, defStart: number, importPoint: () => Span): boolean {
  for (const q of queries) {
    let now: string;
    if (q.kind === 'at') now = names.at(q.name, defStart + q.rel) ?? '';
    else if (q.kind === 'bound') now = String(names.bound(q.name));
    else if (q.kind === 'const') now = constantAnswer(names, q.name, defStart + q.rel);
    else {
      const p = importPoint();
      now = `${p.startIndex}:${p.start.line}`;
    }
    if (now !== q.answer) return false;
  }
  return true;
}
