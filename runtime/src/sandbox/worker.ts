// Placeholder sandbox worker entry: replaced by the jco-backed worker (issue 4).
import { parentPort } from 'node:worker_threads';

parentPort?.postMessage({ type: 'ready' });
