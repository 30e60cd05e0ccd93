// A bounded, lazy index of the workspace's tasks, for duplicate names and the client's
// Tasks view. It is built in the background after start-up, yielding between files; it
// skips what files.exclude and .gitignore exclude and caps the file count and file size.
// Open documents replace their on-disk entry as they are edited.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Parser } from '../../runtime/src/discovery/parser';
import { discoverTasks, TaskNames, type DiscoveredTask, type DuplicateProblem, type TaskChange } from '../../runtime/src/discovery/index';
import type { TaskInfo } from './protocol';
import { ALWAYS_SKIPPED, gitignoreRules, isIgnored } from '../../runtime/src/discovery/project-files';
import type { Projects } from './project';
import type { ExcludeMatcher } from './files-exclude';
import { SignatureCache, sourceLines, type SourceLines } from './signatures';

export interface IndexLimits { maxFiles: number; maxFileBytes: number }
export const DEFAULT_LIMITS: IndexLimits = { maxFiles: 5000, maxFileBytes: 1024 * 1024 };

interface Entry {
  file: string; uri: string; tasks: DiscoveredTask[];
  /** false once the file's names were found unique, kept while its names do not change. */
  clash?: boolean;
  /**
   * The tasks' lines when they were last compared (a kept task is the same object on its
   * new line: its spans follow the edits); undefined after a pass that said it moved them.
   */
  lines?: Int32Array;
}

export class WorkspaceIndex {
  private entries = new Map<string, Entry>();
  private building: Promise<void> | undefined;
  private queued = false;
  /** Files open in the editor: their entries come from the editor, not the disk. */
  private readonly open = new Set<string>();
  /** Each task's list entry and parameters, kept with the task object (list()). */
  private readonly infos = new WeakMap<DiscoveredTask, TaskInfo>();
  private readonly signatures = new SignatureCache();
  /** Set when the file cap stopped the walk early. */
  capped = false;

  constructor(
    private readonly parser: Parser,
    private readonly projects: Projects,
    private readonly roots: string[],
    private readonly limits: IndexLimits,
    private readonly excluded: ExcludeMatcher,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Starts the first build if none ran; resolves when it is done. */
  ensure(): Promise<void> {
    this.building ??= this.build();
    return this.building;
  }

  /**
   * Re-reads the workspace (capsule.toml defaults changed). Calls during a rebuild are
   * coalesced into one more rebuild after it. (The workspace's folders are those given
   * at start-up: the server does not announce workspace-folder changes.)
   */
  rebuild(): Promise<void> {
    if (!this.building) return this.ensure();
    if (this.queued) return this.building;
    this.queued = true;
    this.building = this.building.then(() => {
      this.queued = false;
      return this.build();
    });
    return this.building;
  }

  /**
   * An open document's current tasks. Says whether anything the Tasks view shows
   * changed (names, configs, problem counts, lines); tasks reused unchanged are the same
   * objects, so only the others are compared by value.
   */
  setFile(file: string, uri: string, tasks: DiscoveredTask[], change?: TaskChange | null, linesMoved?: boolean): { viewChanged: boolean } {
    this.open.add(file);
    const before = this.entries.get(file);
    const old = before?.tasks ?? [];
    const entry: Entry = { file, uri, tasks };
    const same = (a: DiscoveredTask, b: DiscoveredTask) =>
      a === b || (a.name === b.name && a.unreachable === b.unreachable && a.problems.length === b.problems.length && JSON.stringify(a.config) === JSON.stringify(b.config));
    // After a keystroke's pass, only the tasks it replaced can differ (in list order), and
    // it says whether it moved the others. `linesMoved`: the pass after the one set last
    // says whether it may have moved tasks (reading 10,000 tasks' lines costs ~5 ms).
    const patched = !!change && change.before === old;
    const kept = tasks === old || (patched
      ? change!.removed.length === change!.added.length && change!.added.every((t, i) => same(t, change!.removed[i]!))
      : old.length === tasks.length && tasks.every((t, i) => same(t, old[i]!)));
    let moved: boolean;
    if (tasks === old) moved = false; // the same pass as last time
    else if (patched) moved = change!.moved;
    else if (linesMoved !== undefined) moved = linesMoved;
    else {
      entry.lines = linesOf(tasks);
      const was = before?.lines;
      moved = was ? was.length !== entry.lines.length || entry.lines.some((l, i) => l !== was[i]) : tasks.length > 0;
    }
    if (!moved && !entry.lines && before?.lines?.length === tasks.length) entry.lines = before.lines;
    if (kept && before?.clash === false) entry.clash = false; // same names: still no clash
    this.entries.set(file, entry);
    return { viewChanged: !kept || moved };
  }

  /** Re-reads a file from disk (a watched change, or a closed document); drops it if gone. */
  async refreshFile(file: string): Promise<void> {
    this.open.delete(file);
    const entry = await this.readEntry(file).catch(() => undefined);
    if (entry) this.entries.set(file, entry);
    else this.entries.delete(file);
  }

  removeFile(file: string): void {
    this.entries.delete(file);
  }

  /**
   * Duplicate-name problems of one file: the runtime finds a task by file and name, so
   * names are unique within a file (every file may have its own `main`).
   */
  duplicates(file: string): DuplicateProblem[] {
    const entry = this.entries.get(file);
    const tasks = entry?.tasks ?? [];
    if (tasks.length < 2 || entry?.clash === false) return [];
    const seen = new Set<string>();
    if (tasks.every((t) => t.unreachable || (!seen.has(t.name) && seen.add(t.name)))) {
      entry!.clash = false; // no clash: no sites to build, and none until a name changes
      return [];
    }
    const names = new TaskNames(tasks.map((task, index) => ({ file, index, task })));
    const rel = relative(this.projects.rootFor(file), file).split(sep).join('/');
    return names.problemsFor(file, tasks, (s) => `${rel}:${s.task.nameSpan.start.line + 1}`).map((d) => ({ ...d, file: rel }));
  }

  /**
   * The Tasks view's list, with each task's parameters (`openText`: an open document's text).
   * A task's entry is the same object while its line and problem count are: the client is
   * sent the changes (task-list-changes.ts), and a 10,000-task file's list compares by identity.
   */
  list(openText: (uri: string) => string | undefined): TaskInfo[] {
    const out: TaskInfo[] = [];
    for (const e of [...this.entries.values()].sort((a, b) => a.file.localeCompare(b.file))) {
      const dups = e.tasks.length ? new Set(this.duplicates(e.file).map((d) => d.task)) : undefined;
      // Read only if a task's parameters were not parsed yet (null: not read yet).
      let src: SourceLines | undefined | null = null;
      const source = () => {
        if (src === null) {
          const text = openText(e.uri);
          src = text === undefined ? undefined : sourceLines(text);
        }
        return src;
      };
      const mine: TaskInfo[] = [];
      for (const t of e.tasks) {
        if (t.unreachable) continue;
        const line = t.nameSpan.start.line;
        const problems = t.problems.filter((p) => p.severity === 'error').length + (dups?.has(t) ? 1 : 0);
        let info = this.infos.get(t);
        if (!info || info.line !== line || info.problems !== problems || info.uri !== e.uri || info.file !== e.file) {
          const params = this.signatures.get(t, t.functionName, line, source);
          info = { uri: e.uri, file: e.file, taskName: t.name, functionName: t.functionName, line, config: t.config, problems, ...(params ? { params } : {}) };
          this.infos.set(t, info);
        }
        mine.push(info);
      }
      for (const info of mine.sort((a, b) => a.line - b.line)) out.push(info);
    }
    return out;
  }

  private async build(): Promise<void> {
    const found: string[] = [];
    this.capped = false;
    for (const root of this.roots) {
      if (found.length >= this.limits.maxFiles) break;
      await this.walk(root, root, [], found);
    }
    const onDisk = new Set(found);
    for (const file of [...this.entries.keys()]) if (!this.open.has(file) && !onDisk.has(file)) this.entries.delete(file);
    let n = 0;
    for (const file of found) {
      if (this.open.has(file)) continue; // an open document is fresher than the disk
      const entry = await this.readEntry(file).catch(() => undefined);
      if (this.open.has(file)) continue; // opened while we read it
      if (entry) this.entries.set(file, entry);
      else this.entries.delete(file);
      if (++n % 50 === 0) await new Promise((r) => setImmediate(r)); // let requests through
    }
  }

  private async walk(root: string, dir: string, ignores: Array<{ base: string; rules: ReturnType<typeof gitignoreRules> }>, found: string[]): Promise<void> {
    const gitignore = await readFile(join(dir, '.gitignore'), 'utf8').catch(() => undefined);
    const scoped = gitignore === undefined ? ignores : [...ignores, { base: dir, rules: gitignoreRules(gitignore) }];
    const items = await readdir(dir, { withFileTypes: true }).catch(() => []);
    items.sort((a, b) => a.name.localeCompare(b.name));
    const names = new Set(items.map((i) => i.name));
    const hasSibling = (name: string) => names.has(name);
    const subdirs: string[] = [];
    for (const item of items) {
      const path = join(dir, item.name);
      const isDir = item.isDirectory();
      if (isDir && ALWAYS_SKIPPED.has(item.name)) continue;
      const rel = relative(root, path).split(sep).join('/');
      if (this.excluded(rel, isDir, hasSibling) || isIgnored(scoped, path, isDir)) continue;
      if (isDir) subdirs.push(path);
      else if (item.isFile() && item.name.endsWith('.py')) {
        if (found.length >= this.limits.maxFiles) {
          this.capped = true;
          return;
        }
        found.push(path);
      }
    }
    for (const sub of subdirs) {
      if (found.length >= this.limits.maxFiles) {
        this.capped = true;
        return;
      }
      await this.walk(root, sub, scoped, found);
    }
  }

  private async readEntry(file: string): Promise<Entry | undefined> {
    const s = await stat(file);
    if (s.size > this.limits.maxFileBytes) return undefined;
    const text = await readFile(file, 'utf8');
    const uri = pathToFileURL(file).href;
    // Most files never mention a task: skip the parse for them.
    if (!text.includes('task')) return { file, uri, tasks: [], lines: new Int32Array(0) };
    const tasks = discoverTasks(text, { ...this.projects.options(file), parser: this.parser });
    // The parameters now, while the text is at hand (the list reads open documents only).
    let src: SourceLines | undefined;
    for (const t of tasks) this.signatures.get(t, t.functionName, t.nameSpan.start.line, () => (src ??= sourceLines(text)));
    return { file, uri, tasks, lines: linesOf(tasks) };
  }
}

const linesOf = (tasks: DiscoveredTask[]) => Int32Array.from(tasks, (t) => t.nameSpan.start.line);
