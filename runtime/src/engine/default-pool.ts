// The real sandbox pool (runtime/src/sandbox), loaded on first use.
import type { SandboxPoolLike } from './sandbox-port';

export async function createDefaultPool(): Promise<SandboxPoolLike> {
  // TODO(issue 4): import { SandboxPool } from '../sandbox/index' once the sandbox lands.
  throw new Error('the sandbox (runtime/src/sandbox/index.ts) is not built yet');
}
