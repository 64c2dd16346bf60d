import { parentPort, workerData } from 'node:worker_threads';
import { runSeedJob, type SweepSettings } from './seed-job.ts';

/** Messages from the pool: a batch of seeds to run, or the end. */
export type ToWorker =
  | { readonly type: 'run'; readonly seeds: readonly number[] }
  | { readonly type: 'stop' };

const settings = (workerData as { settings: SweepSettings }).settings;
const port = parentPort!;
port.on('message', (msg: ToWorker) => {
  if (msg.type === 'stop') {
    port.close();
    return;
  }
  const outcomes = msg.seeds.map((seed) => runSeedJob(seed, settings));
  port.postMessage(outcomes);
});
