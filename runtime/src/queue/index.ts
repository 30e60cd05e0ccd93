// The queue backend (issue 21): BullMQ on Redis. Its own bundle (dist/queue.js),
// loaded by the CLI only when a queue is used (cli/queue-loader.ts).
export { QueuePool } from './queue-pool';
export { QueueWorker } from './queue-worker';
export { workerCommand } from './worker-command';
export { QueueUnreachable, probe } from './connect';
export { parseQueueUrl, QueueUrlError } from './url';
