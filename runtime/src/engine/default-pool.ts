// The real sandbox pool (runtime/src/sandbox): CPython on WASI, a fresh instance per attempt.
import { SandboxPool } from '../sandbox/index';
import type { SandboxPoolLike } from './sandbox-port';

export function createDefaultPool(): SandboxPoolLike {
  return new SandboxPool({ spares: 1 });
}
