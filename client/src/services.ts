// What the commands and views share; built once in extension.ts.
import type { Settings } from './config';
import type { Ctx } from './ctx';
import type { Engines } from './engines';
import type { RunOutput } from './output';
import type { RunStore } from './runs/model';
import type { Runner } from './runs/runner';
import type { RunsView } from './views/runsView';
import type { TasksView } from './views/tasksView';
import type { StatusBar } from './views/statusBar';
import type { RunDiagnostics } from './views/runDiagnostics';
import type { DetailsPanel } from './details/panel';
import type { RunOutputDocs } from './runOutputDoc';

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
