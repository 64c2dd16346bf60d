// A worker thread of the explore group: runs the jobs it is sent, one at a time, and posts each
// result back (bench/explore.ts keeps one of these per core).

import { parentPort } from 'node:worker_threads';
import { type Job, runJob } from './explore-jobs.ts';

if (parentPort === null) throw new Error('bench/explore-worker.ts runs only as a worker thread');
const port = parentPort;
port.on('message', (job: Job) => port.postMessage(runJob(job)));
