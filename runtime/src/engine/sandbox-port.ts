// The sandbox as the engine sees it. The types are the sandbox's own (one
// definition); the engine depends only on this narrow pool shape, so tests can
// give it a scripted pool; default-pool.ts returning the real SandboxPool as this
// shape is what makes tsc check that it fits.
import type { SandboxHooks, SandboxRun, SandboxSpec } from '../sandbox/types';

export type { Mount, SandboxErrorType, SandboxHooks, SandboxOutcome, SandboxRun, SandboxSpec, SourceProblem, TraceFrame } from '../sandbox/types';

export interface SandboxPoolLike {
  run(spec: SandboxSpec, hooks?: SandboxHooks): SandboxRun;
  dispose(): Promise<void>;
  /** Waits for the work runs left behind (bytecode compiles, import snapshots) before a caller removes a project. */
  settled?(): Promise<void>;
}
