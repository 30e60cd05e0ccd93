// The sandbox as the engine sees it. The types are the sandbox's own (one
// definition); the engine depends only on this narrow pool shape, so tests can
// give it a scripted pool, and a test checks that the real SandboxPool fits it.
import type { SandboxHooks, SandboxRun, SandboxSpec } from '../sandbox/types';

export type { Mount, SandboxErrorType, SandboxHooks, SandboxOutcome, SandboxRun, SandboxSpec, SourceProblem, TraceFrame } from '../sandbox/types';

export interface SandboxPoolLike {
  run(spec: SandboxSpec, hooks?: SandboxHooks): SandboxRun;
  dispose(): Promise<void>;
}
