// A bounded, lazy index of the workspace's tasks, for duplicate names and the client's
// Tasks view. It is built in the background after start-up, yielding between files; it
// skips what files.exclude and .gitignore exclude and caps the file count and file size.
// Open documents replace their on-disk entry as they are edited.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Parser } from '../../runtime/src/discovery/parser';
import { discoverTasks, TaskNames, type DiscoveredTask, type DuplicateProblem, type TaskSite } from '../../runtime/src/discovery/index';
import type { TaskInfo } from './protocol';
import { ALWAYS_SKIPPED, GitIgnore } from './ignore';
import type { Projects } from './project';

export interface IndexLimits { maxFiles: number; maxFileBytes: number }
export const DEFAULT_LIMITS: IndexLimits = { maxFiles: 5000, maxFileBytes: 1024 * 1024 };

interface Entry { file: string; uri: string; tasks: DiscoveredTask[] }

export class WorkspaceIndex {
  private entries = new Map<string, Entry>();
  private building: Promise<void> | undefined;
  private queued = false;
  /** Files open in the editor: their entries come from the editor, not the disk. */
  private readonly open = new Set<string>();
  /** Per project root, its tasks by name; rebuilt when some file's task names change. */
  private dupCache: Map<string, TaskNames> | undefined;
  /** Set when the file cap stopped the walk early. */
  capped = false;
  skippedLarge = 0;

  constructor(
    private readonly parser: Parser,
    private readonly projects: Projects,
    private roots: string[],
    private readonly limits: IndexLimits,
    private readonly excluded: (relPath: string) => boolean,
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
   * Re-reads the workspace (capsule.toml defaults changed, or the folders did). Calls
   * during a rebuild are coalesced into one more rebuild after it.
   */
  rebuild(roots?: string[]): Promise<void> {
    if (roots) this.roots = roots;
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
   * An open document's current tasks. Says whether its task names changed (other
   * files' duplicate checks depend on them) and whether anything the Tasks view
   * shows changed (names, configs, problem counts).
   */
  setFile(file: string, uri: string, tasks: DiscoveredTask[]): { namesChanged: boolean; viewChanged: boolean } {
    this.open.add(file);
    const old = this.entries.get(file)?.tasks ?? [];
    this.entries.set(file, { file, uri, tasks });
    const names = (ts: DiscoveredTask[]) => ts.map((t) => t.name).join('\0');
    const view = (ts: DiscoveredTask[]) => JSON.stringify(ts.map((t) => [t.name, t.config, t.problems.length]));
    const namesChanged = names(old) !== names(tasks);
    if (namesChanged) this.dupCache = undefined;
    return { namesChanged, viewChanged: namesChanged || view(old) !== view(tasks) };
  }

  /** Re-reads a file from disk (a watched change, or a closed document); drops it if gone. */
  async refreshFile(file: string): Promise<void> {
    this.open.delete(file);
    const entry = await this.readEntry(file).catch(() => undefined);
    if (entry) this.entries.set(file, entry);
    else this.entries.delete(file);
    this.dupCache = undefined;
  }

  removeFile(file: string): void {
    this.entries.delete(file);
    this.dupCache = undefined;
  }

  /**
   * Duplicate-name problems of one file; names must be unique within a project. The
   * name map is rebuilt only when some file's task names change; spans and lines come
   * from the files' current tasks, so moving code never leaves them stale.
   */
  duplicates(file: string): DuplicateProblem[] {
    const entry = this.entries.get(file);
    if (!entry?.tasks.length) return [];
    const root = this.projects.rootFor(file);
    const names = this.names().get(root);
    if (!names) return [];
    const rel = (f: string) => relative(root, f).split(sep).join('/');
    // The file's current task at the site's position gives today's line.
    const line = (s: TaskSite) => (this.entries.get(s.file)?.tasks[s.index] ?? s.task).nameSpan.start.line + 1;
    return names.problemsFor(file, entry.tasks, (s) => `${rel(s.file)}:${line(s)}`).map((d) => ({ ...d, file: rel(d.file) }));
  }

  /** project root -> its tasks by name. */
  private names(): Map<string, TaskNames> {
    if (!this.dupCache) {
      const sites = new Map<string, TaskSite[]>();
      for (const e of this.entries.values()) {
        if (!e.tasks.length) continue;
        const root = this.projects.rootFor(e.file);
        let list = sites.get(root);
        if (!list) sites.set(root, (list = []));
        e.tasks.forEach((task, index) => list.push({ file: e.file, index, task }));
      }
      this.dupCache = new Map([...sites].map(([root, list]) => [root, new TaskNames(list)]));
    }
    return this.dupCache;
  }

  list(): TaskInfo[] {
    const out: TaskInfo[] = [];
    for (const e of this.entries.values()) {
      const dups = e.tasks.length ? new Set(this.duplicates(e.file).map((d) => d.task)) : undefined;
      for (const t of e.tasks) {
        if (t.unreachable) continue;
        out.push({
          uri: e.uri,
          file: e.file,
          taskName: t.name,
          functionName: t.functionName,
          line: t.nameSpan.start.line,
          config: t.config,
          problems: t.problems.filter((p) => p.severity === 'error').length + (dups?.has(t) ? 1 : 0),
        });
      }
    }
    return out.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  }

  private async build(): Promise<void> {
    const found: string[] = [];
    this.capped = false;
    this.skippedLarge = 0;
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
    this.dupCache = undefined;
  }

  private async walk(root: string, dir: string, ignores: Array<{ base: string; rules: GitIgnore }>, found: string[]): Promise<void> {
    const gitignore = await readFile(join(dir, '.gitignore'), 'utf8').catch(() => undefined);
    const scoped = gitignore === undefined ? ignores : [...ignores, { base: dir, rules: new GitIgnore(gitignore) }];
    const items = await readdir(dir, { withFileTypes: true }).catch(() => []);
    items.sort((a, b) => a.name.localeCompare(b.name));
    const subdirs: string[] = [];
    for (const item of items) {
      const path = join(dir, item.name);
      const isDir = item.isDirectory();
      if (isDir && ALWAYS_SKIPPED.has(item.name)) continue;
      const rel = relative(root, path).split(sep).join('/');
      if (this.excluded(rel) || isIgnored(scoped, path, isDir)) continue;
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
    if (s.size > this.limits.maxFileBytes) {
      this.skippedLarge++;
      return undefined;
    }
    const text = await readFile(file, 'utf8');
    const uri = pathToFileURL(file).href;
    // Most files never mention a task: skip the parse for them.
    if (!text.includes('task')) return { file, uri, tasks: [] };
    return { file, uri, tasks: discoverTasks(text, { ...this.projects.options(file), parser: this.parser }) };
  }
}

function isIgnored(stack: Array<{ base: string; rules: GitIgnore }>, path: string, isDir: boolean): boolean {
  let verdict = false;
  for (const { base, rules } of stack) {
    const v = rules.ignores(relative(base, path).split(sep).join('/'), isDir);
    if (v !== undefined) verdict = v;
  }
  return verdict;
}
