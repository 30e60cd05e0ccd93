// A bounded, lazy index of the workspace's tasks, for duplicate names and the client's
// Tasks view. It is built in the background after start-up, yielding between files; it
// skips what files.exclude and .gitignore exclude and caps the file count and file size.
// Open documents replace their on-disk entry as they are edited.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Parser } from '../../runtime/src/discovery/parser';
import { discoverTasks, type DiscoveredTask, type DuplicateProblem } from '../../runtime/src/discovery/index';
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
  private dupCache: Map<string, Map<string, Set<string>>> | undefined;
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
   * name -> files map is rebuilt only when some file's task names change; spans and
   * lines come from the files' current tasks, so moving code never leaves them stale.
   */
  duplicates(file: string): DuplicateProblem[] {
    const entry = this.entries.get(file);
    if (!entry?.tasks.length) return [];
    const root = this.projects.rootFor(file);
    const byName = this.names().get(root);
    const out: DuplicateProblem[] = [];
    for (const task of entry.tasks) {
      const files = byName?.get(task.name);
      if (!files || (files.size < 2 && entry.tasks.filter((t) => t.name === task.name).length < 2)) continue;
      const others: string[] = [];
      for (const f of files) {
        for (const t of this.entries.get(f)?.tasks ?? []) {
          if (t.name === task.name && t !== task) others.push(`${relative(root, f).split(sep).join('/')}:${t.nameSpan.start.line + 1}`);
        }
      }
      out.push({
        file: relative(root, file).split(sep).join('/'),
        task,
        problem: { param: 'name', severity: 'error', message: `duplicate task name "${task.name}": also defined at ${others.join(', ')}`, span: task.taskNameSpan ?? task.nameSpan },
      });
    }
    return out;
  }

  /** project root -> task name -> files defining it. */
  private names(): Map<string, Map<string, Set<string>>> {
    if (!this.dupCache) {
      this.dupCache = new Map();
      for (const e of this.entries.values()) {
        if (!e.tasks.length) continue;
        const root = this.projects.rootFor(e.file);
        let byName = this.dupCache.get(root);
        if (!byName) this.dupCache.set(root, (byName = new Map()));
        for (const t of e.tasks) {
          let files = byName.get(t.name);
          if (!files) byName.set(t.name, (files = new Set()));
          files.add(e.file);
        }
      }
    }
    return this.dupCache;
  }

  list(): TaskInfo[] {
    const out: TaskInfo[] = [];
    for (const e of this.entries.values()) {
      for (const t of e.tasks) {
        out.push({
          uri: e.uri,
          file: e.file,
          taskName: t.name,
          functionName: t.functionName,
          line: t.nameSpan.start.line,
          config: t.config,
          problems: t.problems.filter((p) => p.severity === 'error').length + this.duplicates(e.file).filter((d) => d.task === t).length,
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
