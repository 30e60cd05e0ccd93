// What one run (a root task and all its sub-tasks) shares, made when the root
// starts: the code its sub-tasks may come from, the directories its tasks can
// write, its sub-task count against max_subtasks, and the project's .env, read
// once (a 30 MB .env re-read per sub-task made a fan-out of 40 take 50 s).
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildTaskEnv, DotEnvError, loadDotEnv } from '../capabilities/env';
import type { DotEnv } from '../capabilities/dotenv';
import type { TaskConfig } from '../config/schema';
import { DEFAULT_MAX_SUBTASKS, loadProjectConfig } from '../config/toml';
import type { Mount } from './sandbox-port';
import { CodeAdmission, SpawnRefused } from './spawn-admission';
import { declaredWritableDirs } from './writable-grants';
import type { RunJournal } from '../journal/run-journal';

/** `declared`: the decorator's config alone, which the guest checks its arguments against (task-resolver.ts). */
export interface Resolved { file: string; config: TaskConfig; declared: TaskConfig }

export class RunScope {
  readonly code: CodeAdmission;
  /** What crosses the run's sandbox boundary, for resume and replay (null: no trace). */
  journal: RunJournal | null = null;
  /** Per file and task: the config, resolved once per run. */
  readonly configs = new Map<string, Promise<Resolved>>();
  /** Host directories that tasks of this run could write (kept after they end). */
  readonly writable = new Set<string>();
  private subtasks = 0;
  private maxSubtasks: number | null = null;
  private declared: Promise<string[]> | null = null;
  private dotEnv: DotEnv | DotEnvError | null = null;
  /** env_variables names already looked up this run (each is warned of at most once). */
  private readonly envChecked = new Set<string>();

  constructor(
    private readonly projectRoot: string,
    startedAt: number,
    private readonly warn: (message: string) => void,
  ) {
    this.code = new CodeAdmission(projectRoot, startedAt);
  }

  /**
   * Warns, once per run and name, of env_variables set neither in the host's environment
   * nor in .env: the task will see them unset (a typo, or a variable the shell lacks).
   */
  warnUnset(taskName: string, names: readonly string[]): void {
    // A fan-out's sub-tasks name the same variables: only names not seen yet are looked up.
    const fresh = names.filter((n) => !this.envChecked.has(n));
    if (fresh.length === 0) return;
    let missing: string[];
    try {
      missing = buildTaskEnv(fresh, this.env()).missing;
    } catch {
      return; // a bad .env is the run's configuration error, reported where it is read
    }
    for (const n of fresh) this.envChecked.add(n);
    if (missing.length === 0) return;
    const list = missing.map((n) => `"${n}"`).join(', ');
    this.warn(`task "${taskName}": env_variables ${list} ${missing.length > 1 ? 'are' : 'is'} set neither in the environment nor in .env; the task sees ${missing.length > 1 ? 'them' : 'it'} unset`);
  }

  /** Counts one more sub-task, or refuses it past [tasks] max_subtasks. */
  countSubtask(): void {
    this.maxSubtasks ??= loadProjectConfig(this.projectRoot).limits?.maxSubtasks ?? DEFAULT_MAX_SUBTASKS;
    if (this.subtasks >= this.maxSubtasks) {
      throw new SpawnRefused(
        `task.spawn: this run has already started ${this.subtasks} sub-tasks, the most one run may start ([tasks] max_subtasks = ${this.maxSubtasks} in capsule.toml)`,
      );
    }
    this.subtasks++;
  }

  /** Directories any task of the project may write: its declared read-write grants, scanned once per run. */
  declaredWritable(): Promise<string[]> {
    this.declared ??= declaredWritableDirs(this.projectRoot);
    return this.declared;
  }

  /** Notes the directories an instance of this run can write; returns them. */
  addWritable(config: TaskConfig, mounts: readonly Mount[]): string[] {
    const dirs: string[] = [];
    for (const g of config.allowedFiles) {
      if (g.mode !== 'read-write') continue;
      try {
        dirs.push(realpathSync(resolve(this.projectRoot, g.path)));
      } catch {
        // A grant that names nothing is refused when the instance mounts it.
      }
    }
    for (const m of mounts) if (!m.readOnly) dirs.push(m.hostPath);
    for (const d of dirs) this.writable.add(d);
    return dirs;
  }

  /** The project's .env, read and parsed once per run; its warnings are said once. */
  env(): Readonly<Record<string, string>> {
    if (this.dotEnv === null) {
      try {
        this.dotEnv = loadDotEnv(this.projectRoot);
        for (const w of this.dotEnv.warnings) this.warn(`${resolve(this.projectRoot, '.env')}:${w.line}: ${w.message}`);
      } catch (e) {
        if (!(e instanceof DotEnvError)) throw e;
        this.dotEnv = e;
      }
    }
    if (this.dotEnv instanceof DotEnvError) throw this.dotEnv;
    return this.dotEnv.values;
  }
}
