// Shared by the sandbox tests: a pool, a spec builder and a run helper that
// collects output. Not a test file itself.
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { SandboxPool, type SandboxHooks, type SandboxOutcome, type SandboxSpec } from '../../runtime/src/sandbox/index';
import { tempDir } from '../temp-dir';

export const FIXTURES = join(__dirname, '..', 'fixtures', 'sandbox');
export const MB = 1024 * 1024;
export const FUEL = { LOW: 1e8, MEDIUM: 2e9, HIGH: 5e10 } as const;

/** A private copy of the fixture project (tests may write into it). */
export function fixtureProject(): string {
  const dir = tempDir('capsule-sandbox-');
  cpSync(FIXTURES, dir, { recursive: true });
  return dir;
}

export function spec(projectRoot: string, file: string, taskName: string, over: Partial<SandboxSpec> = {}): SandboxSpec {
  return { projectRoot, file, taskName, args: [], kwargs: {}, fuel: FUEL.MEDIUM, memoryLimitBytes: 256 * MB, env: {}, mounts: [], ...over };
}

export interface Collected { outcome: SandboxOutcome; stdout: string; stderr: string }

export async function runTask(pool: SandboxPool, s: SandboxSpec, hooks: SandboxHooks = {}): Promise<Collected> {
  let stdout = '';
  let stderr = '';
  const outcome = await pool.run(s, {
    ...hooks,
    onStdout: (t) => {
      stdout += t;
      hooks.onStdout?.(t);
    },
    onStderr: (t) => {
      stderr += t;
      hooks.onStderr?.(t);
    },
  }).outcome;
  return { outcome, stdout, stderr };
}

/** The host is alive and the pool still serves tasks after the previous one. */
export async function assertHostAlive(pool: SandboxPool, projectRoot: string): Promise<void> {
  const { outcome } = await runTask(pool, spec(projectRoot, 'stdlib_tasks.py', 'use_math'));
  if (!outcome.ok) throw new Error(`the next task failed: ${JSON.stringify(outcome.error)}`);
}
