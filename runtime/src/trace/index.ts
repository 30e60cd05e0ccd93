export { TraceStore } from './trace-store';
export type { NewInstance, EndFields } from './trace-store';
export type { AttemptRecord, InstanceRecord, RunRecord, TransitionRecord } from './records';
