// The engine's public surface, for the CLI and the extension.
export { Engine } from './engine';
export type { EngineOptions } from './engine';
export { ConfigError, UsageError, formatProblem } from './errors';
export type { ConfigProblemAt } from './errors';
export { RETRYABLE, shouldRetry } from './retry-policy';
export { loadTaskFile, defaultResolver } from './task-resolver';
export type { TaskResolver } from './task-resolver';
export type * from './types';
export { FINAL_STATES, isFinalState } from './types';
export type { Mount, SandboxPoolLike } from './sandbox-port';
