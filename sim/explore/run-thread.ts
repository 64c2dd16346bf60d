import { Worker } from 'node:worker_threads';
import type { ImplSpec } from '../adapters/impl.ts';
import type { Schedule } from '../model/schedule.ts';
import type { ClassifiedRun } from './outcome.ts';
import type { FromRunWorker, RunJob } from './run-worker.ts';
import type { StopSignal } from './signals.ts';
import { workerBoot } from './worker-entry.ts';

export interface RunInWorkerOptions {
  readonly bugs: readonly string[];
  readonly impl?: ImplSpec | null;
  /** Every trace line, in order, as runSchedule's onTrace would see it. */
  readonly onTrace: (line: string) => void;
  readonly onProgress?: (nowMs: number, steps: number) => void;
  /** When aborted, the run is abandoned: the promise resolves with `interrupted` and no run. */
  readonly signal: AbortSignal;
}

export type RunInWorkerResult =
  | { readonly run: ClassifiedRun; readonly interrupted: null }
  | { readonly run: null; readonly interrupted: StopSignal };

/**
 * runClassified on a worker thread, for runs that write a trace file: the main thread keeps the
 * file and stays free to answer Ctrl-C, when it ends the worker and the caller removes the
 * unfinished file. The same code on the same data gives the same run, byte for byte.
 */
export function runInWorker(schedule: Schedule, opts: RunInWorkerOptions): Promise<RunInWorkerResult> {
  const job: RunJob = {
    schedule,
    bugs: opts.bugs,
    impl: opts.impl ?? null,
    progress: opts.onProgress !== undefined,
  };
  const { boot, entry } = workerBoot('run-worker');
  const worker = new Worker(boot, { workerData: { entry, job } });
  return new Promise<RunInWorkerResult>((resolve, reject) => {
    let run: ClassifiedRun | null = null;
    const onAbort = (): void => {
      void worker.terminate();
    };
    if (opts.signal.aborted) onAbort();
    opts.signal.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (msg: FromRunWorker) => {
      switch (msg.type) {
        case 'lines':
          for (const line of msg.lines) opts.onTrace(line);
          return;
        case 'progress':
          opts.onProgress?.(msg.nowMs, msg.steps);
          return;
        case 'done':
          run = msg.run;
          return;
      }
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      opts.signal.removeEventListener('abort', onAbort);
      if (run !== null) resolve({ run, interrupted: null });
      else if (opts.signal.aborted) resolve({ run: null, interrupted: opts.signal.reason as StopSignal });
      else reject(new Error(`the run worker exited with code ${code} and no result`));
    });
  });
}
