import { defaultConfig } from '../../sim/model/config.ts';
import type { Schedule, ScheduledOp } from '../../sim/model/schedule.ts';

/** When the cut-off candidate's partition heals. */
export const CUT_OFF_HEAL_MS = 780;

/**
 * The smallest vote-no-log-check failure: S1 is cut off and campaigns alone, raising its term,
 * while S2 and S3 elect a leader and commit its no-op; after the heal at 780 ms S1's higher term
 * wins it the election although its log is empty. Without the bug every property holds.
 */
export function cutOffCandidate(ops: ScheduledOp[] = []): Schedule {
  const base = defaultConfig();
  return {
    version: 1,
    seed: 1,
    config: {
      ...base,
      nodes: 3,
      clients: ops.length === 0 ? 0 : 1,
      // Well past the violation, so that a change to the node's timing moves it, not removes it.
      timeMs: CUT_OFF_HEAL_MS + 1000,
      quietMs: 0,
      network: { ...base.network, delayMsMin: 1, delayMsMax: 1, dropRate: 0, dupRate: 0, longDelayRate: 0 },
    },
    faults: [
      { atMs: 1, type: 'partition', groups: [[1], [3, 2]] },
      { atMs: CUT_OFF_HEAL_MS, type: 'heal' },
    ],
    ops,
  };
}
