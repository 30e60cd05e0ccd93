// What the module-level names of a file are bound to, in source order: which `task`
// is capsule's at a given decorator (the last binding before it decides, as Python
// would), and which names are constants the runtime can read without running the file.
import type { Node } from './parser';

export type BindingKind = 'capsule-task' | 'capsule-module' | 'star-capsule' | 'star-other' | 'other';

export interface Binding { name: string; kind: BindingKind; index: number }

/** A module-level constant: `NAME = <expr>` at the top level, the name's only binding. */
export interface Constant { name: string; value: Node; index: number; line: number }

export class ModuleBindings {
  /** Per name (and '*' for star imports), in source order. */
  private readonly byName = new Map<string, Binding[]>();
  private readonly order: string[] = [];
  /** Top-level `NAME = expr` statements; only names bound once become constants. */
  private readonly assigned = new Map<string, Constant>();
  private constantsCache: Map<string, Constant | undefined> | undefined;

  constructor(private readonly source: () => string) {}

  add(name: string, kind: BindingKind, index: number): void {
    let list = this.byName.get(name);
    if (!list) this.byName.set(name, (list = []));
    list.push({ name, kind, index });
    this.order.push(`${name}:${kind}`);
  }

  assign(name: string, value: Node, index: number, line: number, topLevel: boolean): void {
    this.add(name, 'other', index);
    if (topLevel && !this.assigned.has(name)) this.assigned.set(name, { name, value, index, line });
  }

  /** What `name` means just before `index`: its last binding there, or a star import's. */
  at(name: string, index: number): BindingKind | undefined {
    return lastBefore(this.byName.get(name), index)?.kind ?? lastBefore(this.byName.get('*'), index)?.kind;
  }

  /** Was `name` bound anywhere at module level (before or after)? */
  bound(name: string): boolean {
    return this.byName.has(name);
  }

  /** A constant usable at `index`: assigned once, before it, and never declared `global`. */
  constant(name: string, index: number): Constant | undefined {
    this.constantsCache ??= new Map();
    let c = this.constantsCache.get(name);
    if (c === undefined && !this.constantsCache.has(name)) {
      const a = this.assigned.get(name);
      const once = a && this.byName.get(name)?.length === 1 && !new RegExp(`\\bglobal\\b[^\\n]*\\b${name}\\b`).test(this.source());
      c = once ? a : undefined;
      this.constantsCache.set(name, c);
    }
    return c && c.index < index ? c : undefined;
  }

  /** A key that changes whenever a decorator's meaning could: bindings in order and constants' text. */
  key(): string {
    const parts = [...this.order];
    for (const c of this.assigned.values()) parts.push(`${c.name}=${c.value.text}`);
    return parts.join(',');
  }
}

function lastBefore(list: Binding[] | undefined, index: number): Binding | undefined {
  if (!list?.length) return undefined;
  let lo = 0;
  let hi = list.length; // first binding at or after index
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.index < index) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? list[lo - 1] : undefined;
}

/** Every name an assignment-like target binds: `a`, `a, b = ...`, `(a, [b, *c])`. */
export function targetNames(target: Node | null, out: string[] = []): string[] {
  if (!target) return out;
  if (target.type === 'identifier') out.push(target.text);
  else if (['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list', 'list_splat_pattern', 'parenthesized_expression', 'expression_list'].includes(target.type)) {
    for (const c of target.namedChildren) targetNames(c, out);
  }
  return out;
}
