import { Worker } from 'node:worker_threads';
import { runSeedJob, type SeedOutcome, type SweepSettings } from './seed-job.ts';
import type { ToWorker } from './sweep-worker.ts';
import { workerBoot } from './worker-entry.ts';

export interface SweepOptions {
  readonly lo: number;
  readonly hi: number;
  /** 0 runs in this thread (tests); otherwise that many worker threads. */
  readonly workers: number;
  readonly settings: SweepSettings;
  readonly stopOnFailure: boolean;
  /** Seeds handed to a worker at a time: small enough to balance, large enough to amortise messages. */
  readonly batch?: number;
  readonly onOutcome?: (outcome: SeedOutcome) => void;
  /** When aborted (Ctrl-C), the workers are terminated and the seeds done so far are returned. */
  readonly signal?: AbortSignal;
}

export interface SweepResult {
  /** Outcomes in seed order, whatever order the workers finished in. */
  readonly outcomes: SeedOutcome[];
  readonly stopped: boolean;
  /** The sweep was aborted through `signal`: `outcomes` holds only the seeds that finished. */
  readonly interrupted: boolean;
}

/** Runs seeds lo..hi (inclusive) on a pool of worker threads, handing out batches as workers free up. */
export async function runSweep(opts: SweepOptions): Promise<SweepResult> {
  if (opts.workers === 0) return runInline(opts);
  const batchSize = opts.batch ?? 4;
  let next = opts.lo;
  let stopped = false;
  const outcomes: SeedOutcome[] = [];
  const takeBatch = (): number[] => {
    const seeds: number[] = [];
    while (seeds.length < batchSize && next <= opts.hi) seeds.push(next++);
    return seeds;
  };
  const { boot, entry } = workerBoot('sweep-worker');
  const count = Math.min(opts.workers, opts.hi - opts.lo + 1);
  const workers: Worker[] = [];
  let interrupted = false;
  const abort = (): void => {
    interrupted = true;
    stopped = true;
    for (const w of workers) void w.terminate();
  };
  if (opts.signal?.aborted === true) return { outcomes, stopped: true, interrupted: true };
  opts.signal?.addEventListener('abort', abort, { once: true });
  await Promise.all(
    Array.from({ length: count }, () => {
      const worker = new Worker(boot, { workerData: { entry, settings: opts.settings } });
      workers.push(worker);
      return new Promise<void>((resolve, reject) => {
        const feed = (): void => {
          const seeds = stopped ? [] : takeBatch();
          const msg: ToWorker = seeds.length > 0 ? { type: 'run', seeds } : { type: 'stop' };
          worker.postMessage(msg);
        };
        worker.on('message', (batch: SeedOutcome[]) => {
          if (interrupted) return;
          for (const outcome of batch) {
            outcomes.push(outcome);
            opts.onOutcome?.(outcome);
            if (!outcome.ok && opts.stopOnFailure) stopped = true;
          }
          feed();
        });
        worker.on('error', (error) => (interrupted ? resolve() : reject(error)));
        worker.on('exit', () => resolve());
        feed();
      });
    }),
  );
  opts.signal?.removeEventListener('abort', abort);
  outcomes.sort((a, b) => a.seed - b.seed);
  return { outcomes, stopped, interrupted };
}

function runInline(opts: SweepOptions): SweepResult {
  const outcomes: SeedOutcome[] = [];
  for (let seed = opts.lo; seed <= opts.hi; seed++) {
    const outcome = runSeedJob(seed, opts.settings);
    outcomes.push(outcome);
    opts.onOutcome?.(outcome);
    if (!outcome.ok && opts.stopOnFailure) return { outcomes, stopped: true, interrupted: false };
  }
  return { outcomes, stopped: false, interrupted: false };
}
