// What the module-level names of a file are bound to, in source order: which `task`
// is capsule's at a given decorator (the last binding before it decides, as Python
// would), and which names are constants the runtime can read without running the file.
import type { Node } from './parser';

/** `mutated`: changed in place (`F.append(x)`, `F[0] = x`): not a new binding, but no constant either. */
export type BindingKind = 'capsule-task' | 'capsule-module' | 'star-capsule' | 'star-other' | 'other' | 'mutated';

export interface Binding { name: string; kind: BindingKind; index: number }

/**
 * A module-level constant: `NAME = <expr>` at the top level, the name's only binding.
 * Its value node is fetched when first needed: the editor keeps no tree for statements
 * an edit did not touch (see incremental.ts).
 */
export interface Constant { name: string; text: string; node: () => Node; index: number; line: number; valueStart: number }

/** What discovery asks about names; incremental.ts records the answers to know when a task must be read again. */
export interface NameLookup {
  at(name: string, index: number): BindingKind | undefined;
  bound(name: string): boolean;
  constant(name: string, index: number): { value: Node; index: number; line: number } | undefined;
}

/** Also the constant a name is wherever it is used (the answer incremental.ts compares). */
export interface Bindings extends NameLookup {
  constantEntry(name: string): Constant | undefined;
}

export class ModuleBindings implements Bindings {
  /** Per name (and '*' for star imports), in source order. */
  private readonly byName = new Map<string, Binding[]>();
  /** Top-level `NAME = expr` statements; only names bound once become constants. */
  private readonly assigned = new Map<string, Constant>();
  private constantsCache: Map<string, Constant | undefined> | undefined;

  constructor(private readonly source: () => string) {}

  add(name: string, kind: BindingKind, index: number): void {
    let list = this.byName.get(name);
    if (!list) this.byName.set(name, (list = []));
    list.push({ name, kind, index });
  }

  assign(name: string, value: { text: string; node: () => Node; start: number }, index: number, line: number, topLevel: boolean): void {
    this.add(name, 'other', index);
    if (topLevel && !this.assigned.has(name)) this.assigned.set(name, { name, text: value.text, node: value.node, index, line, valueStart: value.start });
  }

  /** What `name` means just before `index` (see meaningAt). */
  at(name: string, index: number): BindingKind | undefined {
    return meaningAt(this.byName.get(name), this.byName.get('*'), index);
  }

  /** Was `name` bound anywhere at module level (before or after)? */
  bound(name: string): boolean {
    return this.byName.has(name);
  }

  /** A constant usable at `index`: assigned once, before it, and never declared `global`. */
  constant(name: string, index: number): { value: Node; index: number; line: number } | undefined {
    const c = this.constantEntry(name);
    return c && c.index < index ? { value: c.node(), index: c.index, line: c.line } : undefined;
  }

  /** The constant `name` is, wherever it is used (assigned once, never `global`). */
  constantEntry(name: string): Constant | undefined {
    this.constantsCache ??= new Map();
    let c = this.constantsCache.get(name);
    if (c === undefined && !this.constantsCache.has(name)) {
      const a = this.assigned.get(name);
      c = a && this.byName.get(name)?.length === 1 && !declaredGlobal(name, this.source()) ? a : undefined;
      this.constantsCache.set(name, c);
    }
    return c;
  }
}

/** `global NAME` anywhere: the name may be rebound from inside a function. */
export function declaredGlobal(name: string, source: string): boolean {
  return new RegExp(`\\bglobal\\b[^\\n]*\\b${name}\\b`).test(source);
}

/**
 * What a name means just before `index`: its last binding, unless a star import came
 * after it (`from fabric.api import *` may bind `task` again, so it is not capsule's).
 * A change in place is no binding.
 */
export function meaningAt(own: Binding[] | undefined, stars: Binding[] | undefined, index: number): BindingKind | undefined {
  let b = lastBefore(own, index);
  while (b?.kind === 'mutated') b = lastBefore(own, b.index);
  const star = lastBefore(stars, index);
  return b && (!star || b.index > star.index) ? b.kind : star?.kind;
}

export function lastBefore(list: Binding[] | undefined, index: number): Binding | undefined {
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
