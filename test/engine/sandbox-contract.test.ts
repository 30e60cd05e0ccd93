// The engine codes against SandboxPoolLike (engine/sandbox-port.ts); the real pool must fit it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SandboxPoolLike, SandboxSpec as PortSpec, SandboxOutcome as PortOutcome } from '../../runtime/src/engine/sandbox-port';
import type { SandboxPool, SandboxSpec, SandboxOutcome } from '../../runtime/src/sandbox/index';

// Compile-time checks: these assignments fail `tsc` if the shapes drift apart.
type Assignable<A, B> = A extends B ? true : false;
const poolFits: Assignable<SandboxPool, SandboxPoolLike> = true;
const specFits: Assignable<PortSpec, SandboxSpec> = true;
const outcomeFits: Assignable<SandboxOutcome, PortOutcome> = true;

test('the real SandboxPool satisfies the engine port', () => {
  assert.ok(poolFits && specFits && outcomeFits);
});
