// What the commands and views share; built once in extension.ts.
import type { Settings } from './config';
import type { Ctx } from './ctx';
import type { Engines } from './engines';
import type { RunOutput } from './output';
import type { RunStore } from './runs/model';
import type { Runner } from './runs/runner';
import type { RunsView } from './views/runs-view';
import type { TasksView } from './views/tasks-view';
import type { StatusBar } from './views/status-bar';
import type { RunDiagnostics } from './views/run-diagnostics';
import type { DetailsPanel } from './details/panel';
import type { RunOutputDocs } from './run-output-doc';

export interface Services {
  ctx: Ctx;
  settings(): Settings;
  store: RunStore;
  runner: Runner;
  engines: Engines;
  output: RunOutput;
  runsView: RunsView;
  tasksView: TasksView;
  status: StatusBar;
  runDiagnostics: RunDiagnostics;
  /** Set once built (it needs the services). */
  details?: DetailsPanel;
  runOutput?: RunOutputDocs;
  /** Activation time, measured in activate(). */
  activationMs: number;
}
