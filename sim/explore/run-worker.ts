// The worker side of runInWorker (sim/explore/run-thread.ts): one run of a schedule, its trace lines
// posted to the main thread in batches. Off the main thread so that the main thread, which owns
// the trace file, can still answer Ctrl-C during a long run: it ends this worker and removes the
// unfinished file.

import { parentPort, workerData } from 'node:worker_threads';
import { createSafetyCheckers } from '../../properties/index.ts';
import { type ImplSpec, loadImpl } from '../adapters/impl.ts';
import type { Schedule } from '../model/schedule.ts';
import { type ClassifiedRun, runClassified } from './outcome.ts';
import { nodeUnderTest } from './seed-job.ts';

export interface RunJob {
  readonly schedule: Schedule;
  readonly bugs: readonly string[];
  readonly impl?: ImplSpec | null;
  /** Post progress (virtual time and steps) now and then. */
  readonly progress: boolean;
}

export type FromRunWorker =
  | { readonly type: 'lines'; readonly lines: readonly string[] }
  | { readonly type: 'progress'; readonly nowMs: number; readonly steps: number }
  | { readonly type: 'done'; readonly run: ClassifiedRun };

/** Lines per message: large enough that posting costs little per line, small enough to stream. */
const BATCH_LINES = 4096;

const job = (workerData as { job: RunJob }).job;
const port = parentPort!;
if (job.impl !== undefined && job.impl !== null) await loadImpl(job.impl);
let batch: string[] = [];
const flush = (): void => {
  if (batch.length === 0) return;
  port.postMessage({ type: 'lines', lines: batch } satisfies FromRunWorker);
  batch = [];
};
const run = runClassified(job.schedule, {
  ...nodeUnderTest(job.bugs, job.impl),
  checkers: createSafetyCheckers(),
  onTrace: (line) => {
    batch.push(line);
    if (batch.length >= BATCH_LINES) flush();
  },
  ...(job.progress
    ? { onProgress: (nowMs: number, steps: number) => port.postMessage({ type: 'progress', nowMs, steps }) }
    : {}),
});
flush();
port.postMessage({ type: 'done', run } satisfies FromRunWorker);
