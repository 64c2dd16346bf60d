import { parentPort, workerData } from 'node:worker_threads';
import { loadImpl } from '../adapters/impl.ts';
import { runSeedJob, type SweepSettings } from './seed-job.ts';

/** Messages from the pool: a batch of seeds to run, or the end. */
export type ToWorker =
  | { readonly type: 'run'; readonly seeds: readonly number[] }
  | { readonly type: 'stop' };

const settings = (workerData as { settings: SweepSettings }).settings;
const port = parentPort!;
// An implementation under test is loaded in every worker: modules cannot cross threads, names can.
if (settings.impl !== undefined && settings.impl !== null) await loadImpl(settings.impl);
port.on('message', (msg: ToWorker) => {
  if (msg.type === 'stop') {
    port.close();
    return;
  }
  const outcomes = msg.seeds.map((seed) => runSeedJob(seed, settings));
  port.postMessage(outcomes);
});
