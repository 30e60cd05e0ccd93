// Every id the extension contributes, in one place: package.json must use the same strings
// (test/client/manifest.test.ts checks both ways).

export const Commands = {
  runTask: 'capsule.runTask',
  runTaskWithArgs: 'capsule.runTaskWithArgs',
  runTaskOnQueue: 'capsule.runTaskOnQueue',
  rerunLast: 'capsule.rerunLast',
  rerunRun: 'capsule.rerunRun',
  resumeRun: 'capsule.resumeRun',
  replayRun: 'capsule.replayRun',
  cancelRun: 'capsule.cancelRun',
  cancelAll: 'capsule.cancelAll',
  clearHistory: 'capsule.clearHistory',
  showOutput: 'capsule.showOutput',
  goToSource: 'capsule.goToSource',
  restartServer: 'capsule.restartServer',
  showServerLog: 'capsule.showServerLog',
  refreshTasks: 'capsule.refreshTasks',
  showActivation: 'capsule.showActivation',
  showRunDetails: 'capsule.showRunDetails',
  groupRunsByTask: 'capsule.groupRunsByTask',
  listRunsFlat: 'capsule.listRunsFlat',
} as const;

export const Views = {
  container: 'capsule',
  runs: 'capsule.runs',
  tasks: 'capsule.tasks',
} as const;

/** Context keys used in `when` clauses of package.json. */
export const ContextKeys = {
  serverRunning: 'capsule.serverRunning',
  hasRuns: 'capsule.hasRuns',
  runsGrouped: 'capsule.runsGrouped',
} as const;

export const OUTPUT_LANGUAGE = 'capsule-output';
