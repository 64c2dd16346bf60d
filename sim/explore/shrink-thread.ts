import { Worker } from 'node:worker_threads';
import type { ImplSpec } from '../adapters/impl.ts';
import type { Schedule } from '../model/schedule.ts';
import type { ShrinkBudget, ShrinkProgress, ShrinkResult } from './shrink.ts';
import type { FromShrinkWorker, ShrinkJob } from './shrink-worker.ts';
import { workerBoot } from './worker-entry.ts';

export interface ShrinkInWorkerOptions {
  readonly bugs: readonly string[];
  readonly impl?: ImplSpec | null;
  readonly budget: ShrinkBudget;
  readonly onProgress?: (p: ShrinkProgress) => void;
  /** When aborted, the shrink stops after its current run and resolves with the best so far. */
  readonly signal?: AbortSignal;
}

/**
 * shrinkSchedule on a worker thread, so that the main thread stays free to handle Ctrl-C. The
 * result is the same as shrinkSchedule's for a run budget (the same code on the same data); an
 * interrupted shrink resolves with `complete: false` and the best schedule found so far.
 */
export function shrinkInWorker(schedule: Schedule, opts: ShrinkInWorkerOptions): Promise<ShrinkResult> {
  const stop = new SharedArrayBuffer(4);
  const flag = new Int32Array(stop);
  const job: ShrinkJob = { schedule, bugs: opts.bugs, impl: opts.impl ?? null, budget: opts.budget, stop };
  const { boot, entry } = workerBoot('shrink-worker');
  const worker = new Worker(boot, { workerData: { entry, job } });
  const onAbort = (): void => {
    Atomics.store(flag, 0, 1);
  };
  if (opts.signal?.aborted === true) onAbort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  return new Promise<ShrinkResult>((resolve, reject) => {
    let result: ShrinkResult | null = null;
    worker.on('message', (msg: FromShrinkWorker) => {
      if (msg.type === 'progress') opts.onProgress?.(msg.progress);
      else result = msg.result;
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (result !== null) resolve(result);
      else reject(new Error(`the shrink worker exited with code ${code} and no result`));
    });
  });
}
