// The worker side of shrinkInWorker (sim/explore/shrink-thread.ts): shrinks one schedule and posts its
// progress and result. Off the main thread so that the main thread can still answer Ctrl-C: it
// raises the shared stop flag, and the shrink ends with the best schedule found so far.

import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { type ImplSpec, loadImpl } from '../adapters/impl.ts';
import type { Schedule } from '../model/schedule.ts';
import { type ShrinkBudget, type ShrinkProgress, type ShrinkResult, shrinkSchedule } from './shrink.ts';

export interface ShrinkJob {
  readonly schedule: Schedule;
  readonly bugs: readonly string[];
  readonly impl?: ImplSpec | null;
  readonly budget: ShrinkBudget;
  /** One Int32: 0 while the shrink may go on, 1 once it must stop. */
  readonly stop: SharedArrayBuffer;
}

export type FromShrinkWorker =
  | { readonly type: 'progress'; readonly progress: ShrinkProgress }
  | { readonly type: 'done'; readonly result: ShrinkResult };

const job = (workerData as { job: ShrinkJob }).job;
const port = parentPort!;
const stop = new Int32Array(job.stop);
if (job.impl !== undefined && job.impl !== null) await loadImpl(job.impl);
let lastMs = 0;
const result = shrinkSchedule(job.schedule, {
  bugs: job.bugs,
  impl: job.impl ?? null,
  budget: job.budget,
  clockMs: () => performance.now(),
  shouldStop: () => Atomics.load(stop, 0) !== 0,
  onProgress: (progress) => {
    // Progress is for a person: a few messages a second are plenty.
    const now = performance.now();
    if (now - lastMs < 50) return;
    lastMs = now;
    port.postMessage({ type: 'progress', progress } satisfies FromShrinkWorker);
  },
});
port.postMessage({ type: 'done', result } satisfies FromShrinkWorker);
