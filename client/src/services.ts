// What the commands and views share; built once in extension.ts.
import type { Settings } from './config';
import type { Ctx } from './ctx';
import type { Engines } from './engines';
import type { RunOutput } from './output';
import type { RunStore } from './runs/model';
import type { Runner } from './runs/runner';
import type { RunsView } from './views/runsView';
import type { TasksView } from './views/tasksView';

export interface Services {
  ctx: Ctx;
  settings(): Settings;
  store: RunStore;
  runner: Runner;
  engines: Engines;
  output: RunOutput;
  runsView: RunsView;
  tasksView: TasksView;
  /** Activation time, measured in activate(). */
  activationMs: number;
}
