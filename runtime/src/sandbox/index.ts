// The Python sandbox: CPython on WASI as a jco component, one fresh instance
// per task in its own worker thread. See runtime/README.md.
export { SandboxPool, type SandboxPoolOptions } from './pool';
export { setWasmTieringBudget } from './wasm-compile-flags';
export { SandboxSpecError } from './validate';
export { GUEST_PROJECT, GUEST_SDK, GUEST_STDLIB } from './types';
export { DEFAULT_DISK_BYTES, diskUsed, newDiskBudget, type DiskBudget } from './wasi/disk-quota';
export type {
  Mount, SandboxErrorType, SandboxHooks, SandboxOutcome, SandboxRun, SandboxSpec, Variant,
} from './types';
