import { workerData, parentPort } from 'node:worker_threads';
const t0 = performance.now();
const { register } = await import('tsx/esm/api');
const t1 = performance.now();
register();
const t2 = performance.now();
await import(workerData.entry);
const t3 = performance.now();
parentPort.postMessage({ importApi: t1 - t0, register: t2 - t1, entry: t3 - t2 });
