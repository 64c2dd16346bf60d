// Worker threads do not inherit tsx's loader from the `tsx` command, so each worker registers
// it before importing its TypeScript entry point.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
