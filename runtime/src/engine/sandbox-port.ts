// The sandbox as the engine sees it: the shape runtime/src/sandbox exports.
// Declared here so that the engine depends on a contract, and a test can check
// that the real SandboxPool satisfies it.
export type SandboxErrorType = 'task_error' | 'out_of_fuel' | 'out_of_memory' | 'wasm_error' | 'permission_denied';

export interface Mount {
  hostPath: string;
  guestPath: string;
  readOnly: boolean;
}

export interface SandboxSpec {
  projectRoot: string;
  /** Relative to projectRoot. */
  file: string;
  taskName: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  fuel: number;
  memoryBytes: number;
  env: Record<string, string>;
  mounts: Mount[];
}

export interface SandboxOutcome {
  ok: boolean;
  result?: unknown;
  error?: { type: SandboxErrorType; message: string; traceback?: string };
  fuelConsumed: number;
  memoryBytes: number;
  startMs: number;
}

export interface SandboxHooks {
  /** The task's own code is about to run: the engine's timeout starts here. */
  onStart?(): void;
  onStdout?(text: string): void;
  onStderr?(text: string): void;
  onHostCall?(op: string, payload: unknown): Promise<unknown>;
}

export interface SandboxRun {
  readonly outcome: Promise<SandboxOutcome>;
  kill(reason: 'timeout' | 'cancelled'): void;
}

export interface SandboxPoolLike {
  run(spec: SandboxSpec, hooks?: SandboxHooks): SandboxRun;
  dispose(): Promise<void>;
}
