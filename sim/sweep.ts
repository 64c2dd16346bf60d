import { Worker } from 'node:worker_threads';
import { runSeedJob, type SeedOutcome, type SweepSettings } from './seed-job.ts';
import type { ToWorker } from './sweep-worker.ts';

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
}

export interface SweepResult {
  /** Outcomes in seed order, whatever order the workers finished in. */
  readonly outcomes: SeedOutcome[];
  readonly stopped: boolean;
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
  const entry = new URL('./sweep-worker.ts', import.meta.url).href;
  const boot = new URL('./worker-boot.mjs', import.meta.url);
  const count = Math.min(opts.workers, opts.hi - opts.lo + 1);
  await Promise.all(
    Array.from({ length: count }, () => {
      const worker = new Worker(boot, { workerData: { entry, settings: opts.settings } });
      return new Promise<void>((resolve, reject) => {
        const feed = (): void => {
          const seeds = stopped ? [] : takeBatch();
          const msg: ToWorker = seeds.length > 0 ? { type: 'run', seeds } : { type: 'stop' };
          worker.postMessage(msg);
        };
        worker.on('message', (batch: SeedOutcome[]) => {
          for (const outcome of batch) {
            outcomes.push(outcome);
            opts.onOutcome?.(outcome);
            if (!outcome.ok && opts.stopOnFailure) stopped = true;
          }
          feed();
        });
        worker.on('error', reject);
        worker.on('exit', () => resolve());
        feed();
      });
    }),
  );
  outcomes.sort((a, b) => a.seed - b.seed);
  return { outcomes, stopped };
}

function runInline(opts: SweepOptions): SweepResult {
  const outcomes: SeedOutcome[] = [];
  for (let seed = opts.lo; seed <= opts.hi; seed++) {
    const outcome = runSeedJob(seed, opts.settings);
    outcomes.push(outcome);
    opts.onOutcome?.(outcome);
    if (!outcome.ok && opts.stopOnFailure) return { outcomes, stopped: true };
  }
  return { outcomes, stopped: false };
}
