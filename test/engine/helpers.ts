// Shared by the engine tests: a throwaway copy of a fixture project, and an engine on
// the real sandbox whose events are collected.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../runtime/src/engine/engine';
import type { LifecycleEvent } from '../../runtime/src/engine/types';

export function tempProject(from: string): { dir: string; done(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'capsule-engine-'));
  cpSync(from, dir, { recursive: true, filter: (src) => !src.includes('.capsule') });
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function engineFor(projectRoot: string): Promise<{ engine: Engine; events: LifecycleEvent[] }> {
  const warnings: string[] = [];
  const engine = await Engine.create({ projectRoot, onWarning: (m) => warnings.push(m) });
  const events: LifecycleEvent[] = [];
  engine.onEvent((e) => events.push(e));
  return { engine, events };
}

export const states = (events: LifecycleEvent[], id: string): string[] =>
  events.filter((e) => e.instanceId === id && e.type !== 'stdout' && e.type !== 'stderr').map((e) => e.type);
