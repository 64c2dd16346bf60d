import { describe, expect, it } from 'vitest';
import { replayExpectation } from '../sim/explore/replay.ts';
import { shrinkSchedule } from '../sim/explore/shrink.ts';
import { shrinkInWorker } from '../sim/explore/shrink-thread.ts';
import { makeTraceFile } from '../sim/model/trace-file.ts';
import { cutOffCandidate } from './support/schedules.ts';

const BUGS = ['vote-no-log-check'];
const budget = { kind: 'runs', runs: 60 } as const;

describe('shrinkInWorker', () => {
  it('gives exactly what shrinkSchedule gives on this thread', async () => {
    const here = shrinkSchedule(cutOffCandidate(), { bugs: BUGS, budget });
    const there = await shrinkInWorker(cutOffCandidate(), { bugs: BUGS, budget });
    expect(there).toEqual(here);
  }, 30_000);
  it('stopped at once, returns a schedule that still fails the same way', async () => {
    const controller = new AbortController();
    controller.abort('SIGINT');
    const r = await shrinkInWorker(cutOffCandidate(), { bugs: BUGS, budget, signal: controller.signal });
    expect(r.complete).toBe(false);
    const trace = makeTraceFile({
      schedule: r.schedule,
      expectations: [{ bugs: BUGS, outcome: r.outcome }],
      meta: { raftsimVersion: 'test', command: 'test' },
    });
    expect(replayExpectation(trace, 'x', trace.expectations[0]!).matched).toBe(true);
  }, 30_000);
});
