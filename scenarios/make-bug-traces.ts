// Rebuilds scenarios/bugs/<bug>.json for every catalogue bug that seed sweeps find:
//
//   npx tsx scenarios/make-bug-traces.ts [bug ...]
//   npx tsx scenarios/make-bug-traces.ts --check [bug ...]   # write nothing; exit 1 if a file would change
//
// For each bug: sweep seeds (swarm profile, then fixed) until a few fail — preferring failures
// of the property the catalogue names — shrink each with a run budget, and keep the smallest.
// Each file records the one CLI command that makes exactly that trace again. figure8 and
// forget-vote keep the scripts of scenarios/build.ts, which tell their story step by step (sweeps
// find both too: test/bug-sweeps.test.ts).
//
// Run it again whenever the node or the simulator changes behaviour on purpose: a saved trace
// replays one implementation's behaviour exactly, so it goes stale when that behaviour changes.

import { existsSync, readFileSync } from 'node:fs';
import { BUGS, findBug } from '../bugs/index.ts';
import { generateSchedule } from '../sim/explore/generate.ts';
import { configFor, type ProfileMode } from '../sim/explore/profile.ts';
import { runForOutcome } from '../sim/explore/replay.ts';
import { type ShrinkResult, shrinkSchedule } from '../sim/explore/shrink.ts';
import { makeTraceFile, serializeTraceFile, writeTraceFile } from '../sim/model/trace-file.ts';

const SCRIPTED = new Set(['figure8', 'forget-vote', 'stale-round-ack']);
const SEEDS = 500;
const CANDIDATES = 4;
const SHRINK_RUNS = 1000;
/** A seed that floods the event queue is not a good start for a small trace; stop it early. */
const MAX_STEPS = 2_000_000;

interface Pick {
  readonly seed: number;
  readonly mode: ProfileMode;
  readonly result: ShrinkResult;
}

function failingSeeds(bug: string, mode: ProfileMode, property: string): number[] {
  const preferred: number[] = [];
  const other: number[] = [];
  for (let seed = 1; seed <= SEEDS && preferred.length < CANDIDATES; seed++) {
    const schedule = generateSchedule(seed, configFor(seed, mode, {}));
    const o = runForOutcome(schedule, { bugs: [bug], recentEvents: 0, maxSteps: MAX_STEPS }).outcome;
    if (o.status !== 'violation') continue;
    (o.property === property ? preferred : other).push(seed);
  }
  return preferred.length > 0 ? preferred : other.slice(0, CANDIDATES);
}

function size(r: ShrinkResult): number {
  return r.after.faults + r.after.ops;
}

function best(bug: string): Pick | null {
  const property = findBug(bug)!.property;
  for (const mode of ['swarm', 'fixed'] as const) {
    let pick: Pick | null = null;
    for (const seed of failingSeeds(bug, mode, property)) {
      const schedule = generateSchedule(seed, configFor(seed, mode, {}));
      const result = shrinkSchedule(schedule, { bugs: [bug], budget: { kind: 'runs', runs: SHRINK_RUNS } });
      const better =
        pick === null ||
        size(result) < size(pick.result) ||
        (size(result) === size(pick.result) && result.after.events < pick.result.after.events);
      if (better) pick = { seed, mode, result };
    }
    if (pick !== null) return pick;
  }
  return null;
}

function main(): void {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  const check = process.argv.includes('--check');
  const asked = process.argv.slice(2).filter((a) => a !== '--check');
  const stale: string[] = [];
  for (const bug of BUGS.map((b) => b.name)) {
    if (SCRIPTED.has(bug) || (asked.length > 0 && !asked.includes(bug))) continue;
    const pick = best(bug);
    if (pick === null) {
      process.stdout.write(`${bug}: no failing seed in 1..${SEEDS}\n`);
      continue;
    }
    const out = `scenarios/bugs/${bug}.json`;
    const r = pick.result;
    const command =
      `npm run sim -- --seed ${pick.seed} --profile ${pick.mode} --bug ${bug} ` +
      `--out ${out} --shrink-budget ${SHRINK_RUNS}`;
    const path = new URL(`../${out}`, import.meta.url).pathname;
    const trace = makeTraceFile({
      schedule: r.schedule,
      expectations: [{ bugs: [bug], outcome: r.outcome }],
      meta: {
        raftsimVersion: pkg.version,
        command,
        shrink: { before: r.before, after: r.after, runs: r.runs, complete: r.complete },
      },
    });
    if (check) {
      const same = existsSync(path) && readFileSync(path, 'utf8') === serializeTraceFile(trace);
      if (!same) stale.push(out);
    } else {
      writeTraceFile(path, trace);
    }
    const b = r.before;
    const a = r.after;
    process.stdout.write(
      `${bug}: seed ${pick.seed} (${pick.mode}) ${r.outcome.property}: ` +
        `${b.faults} faults, ${b.ops} ops, ${b.events} events → ${a.faults} faults, ${a.ops} ops, ${a.events} events ` +
        `(${a.nodes} nodes, ${a.timeMs} ms; ${r.runs} runs)\n`,
    );
  }
  if (check) {
    process.stdout.write(stale.length === 0 ? 'every trace is up to date\n' : `stale: ${stale.join(', ')}\n`);
    process.exitCode = stale.length === 0 ? 0 : 1;
  }
}

main();
