// One engine per Capsule project (config/project-root.ts: the folder holding capsule.toml,
// else the workspace folder), created on first use, and the history of each loaded into the Task Runs model.
// "Run on queue" uses a second engine per project and queue, whose sandbox pool is the
// queue (queue/open.ts, as `capsule run --queue`): BullMQ loads only then.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { projectRootFor } from '../../runtime/src/config/project-root';
import * as vscode from 'vscode';
import type { SandboxHooks, SandboxPoolLike, SandboxRun, SandboxSpec } from '../../runtime/src/engine/sandbox-port';
import type { EngineApi } from '../../runtime/src/engine/types';
import { openQueueEngine } from './queue-engine';
import { runsFromHistory } from './runs/history';
import type { RunStore } from './runs/model';

/** A sandbox pool made on its first run. */
class LazyPool implements SandboxPoolLike {
  private pool: SandboxPoolLike | undefined;
  constructor(private readonly make: () => SandboxPoolLike) {}
  run(spec: SandboxSpec, hooks?: SandboxHooks): SandboxRun {
    this.pool ??= this.make();
    return this.pool.run(spec, hooks);
  }
  async dispose(): Promise<void> { await this.pool?.dispose(); }
}

export class Engines implements vscode.Disposable {
  private readonly engines = new Map<string, Promise<EngineApi>>();
  /** Keyed by project root and queue URL: a changed setting gets its own. */
  private readonly queueEngines = new Map<string, Promise<EngineApi>>();
  private readonly pools: SandboxPoolLike[] = [];

  constructor(
    private readonly store: RunStore,
    private readonly maxConcurrent: () => number,
    private readonly keepRuns: () => number,
    private readonly log: (line: string) => void,
    /** Where a queue's warnings go (its Redis restarted, a job was lost): beside the runs' own lines. */
    private readonly runLog: (line: string) => void = log,
  ) {}

  private folders(): string[] {
    return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  }

  engineFor(file: string): Promise<EngineApi> {
    return this.forRoot(projectRootFor(file, this.folders()));
  }

  forRoot(root: string): Promise<EngineApi> {
    let engine = this.engines.get(root);
    if (!engine) {
      // Loaded on first use, so activation does not pay for the engine and its wasm; the
      // sandbox boots on the first run, so reading the history at start boots no worker.
      engine = Promise.all([import('../../runtime/src/engine/index'), import('../../runtime/src/engine/default-pool')])
        .then(([{ Engine }, { createDefaultPool }]) => {
          const sandbox = new LazyPool(createDefaultPool);
          this.pools.push(sandbox);
          return Engine.create({ projectRoot: root, maxConcurrent: this.maxConcurrent(), keepRuns: this.keepRuns(), sandbox });
        });
      engine.catch(() => this.engines.delete(root));
      this.engines.set(root, engine);
    }
    return engine;
  }

  /**
   * The engine that runs a file's tasks on the queue at `urlText` (capsule.queue.url).
   * Rejects, naming the setting, when it is empty, not a queue URL, or Redis does not answer.
   */
  queueEngineFor(file: string, urlText: string): Promise<EngineApi> {
    const root = projectRootFor(file, this.folders());
    const key = `${root}\n${urlText.trim()}`;
    let engine = this.queueEngines.get(key);
    if (!engine) {
      engine = openQueueEngine(urlText, { projectRoot: root, maxConcurrent: this.maxConcurrent(), keepRuns: this.keepRuns(), warn: this.runLog })
        .then(({ engine: e, sandbox }) => { this.pools.push(sandbox); return e; });
      engine.catch(() => this.queueEngines.delete(key));
      this.queueEngines.set(key, engine);
    }
    return engine;
  }

  /** Loads the runs already in each workspace folder's trace (only where one exists). */
  async loadHistory(limit: number): Promise<void> {
    const all = [];
    for (const root of this.folders()) {
      if (!existsSync(join(root, '.capsule', 'trace.db'))) continue;
      try {
        const engine = await this.forRoot(root);
        all.push(...(await engine.history({ limit })));
      } catch (err) {
        this.log(`history of ${root} not loaded: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    all.sort((a, b) => b.createdAt - a.createdAt);
    this.store.loadHistory(runsFromHistory(all.slice(0, limit)));
  }

  async clearHistory(): Promise<void> {
    for (const engine of this.engines.values()) await (await engine).clearHistory();
  }

  /** Engines made with the old cap keep it; new projects get the new one. */
  async dispose(): Promise<void> {
    const engines = [...this.engines.values(), ...this.queueEngines.values()];
    this.engines.clear();
    this.queueEngines.clear();
    await Promise.allSettled(engines.map(async (e) => (await e).dispose()));
    // Passed in, so the engines do not own them.
    await Promise.allSettled(this.pools.splice(0).map((p) => p.dispose()));
  }
}
