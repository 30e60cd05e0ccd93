// Which project a file belongs to (runtime/src/config/project-root.ts, as the CLI
// decides it), and that project's capsule.toml defaults, cached until it changes.
import { dirname, join } from 'node:path';
import { projectRootFor } from '../../runtime/src/config/project-root';
import { CAPSULE_TOML, loadProjectConfig, validateCapsuleToml, type ProjectConfig } from '../../runtime/src/config/toml';
import type { DiscoverOptions } from '../../runtime/src/discovery/index';

export class Projects {
  private roots = new Map<string, string>();
  private configs = new Map<string, { config: ProjectConfig; options: DiscoverOptions }>();
  /** Text of open capsule.toml documents, which wins over the file on disk. */
  private overrides = new Map<string, string>();

  constructor(private readonly workspaceRoots: string[]) {}

  rootFor(file: string): string {
    const start = dirname(file);
    const cached = this.roots.get(start);
    if (cached) return cached;
    const root = projectRootFor(file, this.workspaceRoots);
    this.roots.set(start, root);
    return root;
  }

  config(root: string): ProjectConfig {
    return this.entry(root).config;
  }

  /** The same object until the project's capsule.toml changes, so callers can cache on it. */
  options(file: string): DiscoverOptions {
    return this.entry(this.rootFor(file)).options;
  }

  /** capsule.toml opened or edited in the editor. */
  setText(tomlPath: string, text: string | undefined): void {
    if (text === undefined) this.overrides.delete(tomlPath);
    else this.overrides.set(tomlPath, text);
    this.invalidate(tomlPath);
  }

  /** A capsule.toml appeared, changed or went away. */
  invalidate(tomlPath: string): void {
    this.configs.delete(dirname(tomlPath));
    this.roots.clear();
  }

  private entry(root: string): { config: ProjectConfig; options: DiscoverOptions } {
    let e = this.configs.get(root);
    if (!e) {
      const path = join(root, CAPSULE_TOML);
      const text = this.overrides.get(path);
      const config = text !== undefined ? { path, ...validateCapsuleToml(text, { projectRoot: root }) } : loadProjectConfig(root);
      const options: DiscoverOptions = { projectRoot: root, taskDefaults: config.taskDefaults };
      e = { config, options };
      this.configs.set(root, e);
    }
    return e;
  }
}
