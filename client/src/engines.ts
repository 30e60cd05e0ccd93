// One engine per Capsule project (the folder holding capsule.toml, else the workspace
// folder), created on first use, and the history of each loaded into the Task Runs model.
import { existsSync } from 'node:fs';
import { dirname, join, relative, isAbsolute } from 'node:path';
import * as vscode from 'vscode';
import type { EngineApi } from '../../runtime/src/engine/types';
import { runsFromHistory } from './runs/history';
import type { RunStore } from './runs/model';

/** The project root for a file: the nearest capsule.toml inside its workspace folder. */
export function projectRootOf(file: string, folders: readonly string[]): string {
  const folder = folders.filter((f) => { const r = relative(f, file); return r !== '' && !r.startsWith('..') && !isAbsolute(r); })
    .sort((a, b) => b.length - a.length)[0];
  let dir = dirname(file);
  while (folder ? dir.length >= folder.length : true) {
    if (existsSync(join(dir, 'capsule.toml'))) return dir;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return folder ?? dirname(file);
}

export class Engines implements vscode.Disposable {
  private readonly engines = new Map<string, Promise<EngineApi>>();

  constructor(
    private readonly store: RunStore,
    private readonly maxConcurrent: () => number,
    private readonly keepRuns: () => number,
    private readonly log: (line: string) => void,
  ) {}

  private folders(): string[] {
    return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  }

  engineFor(file: string): Promise<EngineApi> {
    return this.forRoot(projectRootOf(file, this.folders()));
  }

  forRoot(root: string): Promise<EngineApi> {
    let engine = this.engines.get(root);
    if (!engine) {
      // Loaded on first use, so activation does not pay for the engine and its wasm.
      engine = import('../../runtime/src/engine/index').then(({ Engine }) =>
        Engine.create({ projectRoot: root, maxConcurrent: this.maxConcurrent(), keepRuns: this.keepRuns() }));
      engine.catch(() => this.engines.delete(root));
      this.engines.set(root, engine);
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
    const engines = [...this.engines.values()];
    this.engines.clear();
    await Promise.allSettled(engines.map(async (e) => (await e).dispose()));
  }
}
