import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSchedule } from '../sim/explore/generate.ts';
import { configFor, type ProfileMode } from '../sim/explore/profile.ts';
import { shrinkSchedule } from '../sim/explore/shrink.ts';
import { readTraceFile } from '../sim/model/trace-file.ts';

// A saved bug trace records the command that made it. Replaying the trace keeps passing when the
// swarm's draws or the shrinker change (the schedule is in the file), so without this test the
// files go stale silently, and `npx tsx scenarios/make-bug-traces.ts` then rewrites them with
// other seeds. Here each command is run again (its shrink, in this process) and must give exactly
// the saved schedule and outcome: when it does not, rerun the script and commit what it writes.

const DIR = resolve(import.meta.dirname, '..', 'scenarios', 'bugs');
const COMMAND =
  /^npm run sim -- --seed (\d+) --profile (swarm|fixed) --bug ([\w-]+) --out \S+ --shrink-budget (\d+)$/;

describe('saved bug traces are what their recorded commands make today', () => {
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.json'))) {
    const trace = readTraceFile(join(DIR, file));
    const m = COMMAND.exec(trace.meta.command);
    // figure8 and forget-vote come from scenarios/build.ts, whose own test rebuilds them.
    if (m === null) continue;
    const [, seedText, mode, bug, runs] = m;
    it(`${file}: ${trace.meta.command.replace(/^npm run sim -- /, '')}`, () => {
      const seed = Number(seedText);
      const schedule = generateSchedule(seed, configFor(seed, mode as ProfileMode, {}));
      const r = shrinkSchedule(schedule, { bugs: [bug!], budget: { kind: 'runs', runs: Number(runs) } });
      expect(r.schedule, 'stale: rerun npx tsx scenarios/make-bug-traces.ts').toEqual(trace.schedule);
      expect(trace.expectations).toEqual([{ bugs: [bug], outcome: r.outcome }]);
      expect(trace.meta.shrink).toEqual({
        before: r.before,
        after: r.after,
        runs: r.runs,
        complete: r.complete,
      });
    }, 120_000);
  }
});
