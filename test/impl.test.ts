import { describe, expect, it } from 'vitest';
import { type ImplSpec, loadImpl, moduleSpec } from '../sim/adapters/impl.ts';
import { DEFAULT_IMPL_TIMEOUT_MS } from '../sim/adapters/process-node.ts';
import { scenarioSkipReason } from '../sim/cli/conform.ts';
import { replayCommand, seedRunOf } from '../sim/cli/main.ts';
import { generateSchedule } from '../sim/explore/generate.ts';
import { runClassified } from '../sim/explore/outcome.ts';
import { configFor } from '../sim/explore/profile.ts';
import { runForOutcome } from '../sim/explore/replay.ts';
import { runSchedule } from '../sim/explore/run.ts';
import { configOf, runSeedJob, type SweepSettings } from '../sim/explore/seed-job.ts';
import { shrinkSchedule } from '../sim/explore/shrink.ts';
import { runSweep } from '../sim/explore/sweep.ts';
import { defaultConfig } from '../sim/model/config.ts';
import { readTraceFile } from '../sim/model/trace-file.ts';
import { simInProcess } from './support/cli-in-process.ts';

// Another Raft implementation enters through --impl (a module) or --impl-cmd (a process per node,
// JSON lines). These tests hold the acceptance of that path: the reference node loaded as a module
// runs exactly as built in; the example implementations pass, and their seeded bugs are caught,
// shrunk and replayed; a misbehaving implementation is an 'impl-error' outcome, never a crash.

const root = process.cwd();
const reference = moduleSpec('examples/reference.ts');
const student = moduleSpec('examples/student-raft/index.ts');
const voteBug = moduleSpec('examples/student-raft/bug-vote-without-log-check.ts');
const truncateBug = moduleSpec('examples/student-raft/bug-truncate-on-stale-append.ts');
const command = (cmd: string, timeoutMs = DEFAULT_IMPL_TIMEOUT_MS): ImplSpec => ({
  kind: 'command',
  command: cmd,
  timeoutMs,
  cwd: root,
});
const python = command('python3 examples/py-raft/node.py');
const pythonBug = command('python3 examples/py-raft/node.py --bug accept-stale-leader');

function settingsFor(impl: ImplSpec | null, held: SweepSettings['held'] = null): SweepSettings {
  return { mode: 'swarm', overrides: {}, bugs: [], impl, held };
}

/** A short fixed-profile schedule: cheap enough for a process per node. */
function shortSchedule(seed: number, timeMs = 3000) {
  return generateSchedule(seed, {
    ...defaultConfig(),
    timeMs,
    quietMs: Math.min(defaultConfig().quietMs, timeMs),
  });
}

describe('--impl: the reference node loaded as a module', () => {
  it('gives the same trace, byte for byte, as the built-in path', async () => {
    await loadImpl(reference);
    for (const seed of [1, 6, 42]) {
      const schedule = generateSchedule(seed, configFor(seed, 'swarm', {}));
      const builtIn = runSchedule(schedule, { onTrace: () => {} });
      const loaded = runSchedule(schedule, { impl: reference, onTrace: () => {} });
      expect(loaded.traceHash).not.toBeNull();
      expect(loaded.traceHash).toBe(builtIn.traceHash);
      expect(loaded.events).toBe(builtIn.events);
    }
  });

  it('gives the same outcomes in a sweep on worker threads, which load the module themselves', async () => {
    const strip = (o: { seed: number; kind: string; step: number; events: number }) => ({
      seed: o.seed,
      kind: o.kind,
      step: o.step,
      events: o.events,
    });
    const builtIn = await runSweep({
      lo: 1,
      hi: 4,
      workers: 1,
      settings: settingsFor(null),
      stopOnFailure: false,
    });
    const loaded = await runSweep({
      lo: 1,
      hi: 4,
      workers: 1,
      settings: settingsFor(reference),
      stopOnFailure: false,
    });
    expect(loaded.outcomes.map(strip)).toEqual(builtIn.outcomes.map(strip));
  });
});

describe('replay commands name the implementation again', () => {
  it('reads back: --impl, and --impl-cmd with its timeout', () => {
    const mode = 'swarm' as const;
    for (const impl of [student, command('python3 examples/py-raft/node.py', 2500)]) {
      const settings = { mode, overrides: { nodes: 3 }, bugs: [], impl };
      const printed = replayCommand(7, settings);
      const args = printed.match(/'[^']*'|\S+/g)!.map((a) => a.replace(/^'(.*)'$/, '$1'));
      expect(args.slice(0, 3)).toEqual(['npm', 'run', 'sim']);
      expect(seedRunOf(args.slice(4))).toStrictEqual({ seed: 7, settings });
    }
  });
});

describe('the student Raft (examples/student-raft)', () => {
  const held = { preVote: false, checkQuorum: false, readMode: 'log' as const };

  it('holds every property on swarm seeds, with what it does not declare held off', async () => {
    await loadImpl(student);
    for (let seed = 1; seed <= 4; seed++) {
      const outcome = runSeedJob(seed, settingsFor(student, held));
      expect(outcome, `seed ${seed}: ${outcome.message}`).toMatchObject({ ok: true, kind: 'ok' });
    }
  });

  it.each([
    [voteBug, 1, 'leader-completeness'],
    [truncateBug, 1, 'durability'],
  ] as const)(
    '%o: the seeded bug is caught, shrunk, and the shrunk run replays',
    async (bug, seed, property) => {
      await loadImpl(bug);
      await loadImpl(student);
      const settings = settingsFor(bug, held);
      const found = runSeedJob(seed, settings);
      expect(found).toMatchObject({ ok: false, kind: 'violation', property });
      const schedule = generateSchedule(seed, configOf(seed, settings));
      const shrunk = shrinkSchedule(schedule, { bugs: [], impl: bug, budget: { kind: 'runs', runs: 300 } });
      expect(shrunk.outcome.property).toBe(property);
      expect(shrunk.after.events).toBeLessThan(shrunk.before.events);
      expect(shrunk.after.ops).toBeLessThan(shrunk.before.ops);
      // The shrunk schedule replays to the same outcome, and the student without its bug passes it.
      expect(runForOutcome(shrunk.schedule, { bugs: [], impl: bug }).outcome).toEqual(shrunk.outcome);
      expect(runForOutcome(shrunk.schedule, { bugs: [], impl: student }).outcome).toEqual({ status: 'ok' });
    },
  );
});

describe('the saved traces of the student bugs (examples/student-raft/*.json)', () => {
  it.each([
    ['vote-without-log-check', voteBug, 'leader-completeness'],
    ['truncate-on-stale-append', truncateBug, 'durability'],
  ] as const)('%s replays its violation with the bug, and holds without it', async (name, bug, property) => {
    await loadImpl(bug);
    await loadImpl(student);
    const trace = readTraceFile(`examples/student-raft/${name}.json`);
    const expected = trace.expectations[0]!.outcome;
    expect(expected).toMatchObject({ status: 'violation', property });
    expect(runForOutcome(trace.schedule, { bugs: [], impl: bug }).outcome).toEqual(expected);
    expect(runForOutcome(trace.schedule, { bugs: [], impl: student }).outcome).toEqual({ status: 'ok' });
  });
});

describe('conform: which scenarios apply', () => {
  it('names what a scenario needs that an implementation does not declare', () => {
    const trace = readTraceFile('scenarios/stale-leader-reads-lease.json');
    const none = {
      campaign: false,
      reads: false,
      preVote: false,
      checkQuorum: false,
      membership: false,
      snapshots: false,
    };
    expect(scenarioSkipReason(trace.schedule, none)).toBe(
      'needs reads (--read-mode lease), checkQuorum, campaign',
    );
    expect(
      scenarioSkipReason(trace.schedule, { ...none, campaign: true, reads: true, checkQuorum: true }),
    ).toBeNull();
    // A scenario that turns compaction on mid-run (sim/scenario/) needs snapshots; turning it off does not.
    const on = { atMs: 5, type: 'compaction', settings: { trigger: 'applied', entries: 10 } } as const;
    const off = { atMs: 9, type: 'compaction', settings: null } as const;
    const base = { ...trace.schedule, config: defaultConfig() };
    expect(scenarioSkipReason({ ...base, faults: [on, off] }, none)).toBe('needs snapshots');
    expect(scenarioSkipReason({ ...base, faults: [off] }, none)).toBeNull();
  });

  it('passes the student Raft and reports its bug with a replay command', async () => {
    const ok = await simInProcess(
      ['conform', '--impl', 'examples/student-raft/index.ts', '--sweep', '3', '--workers', '1', '--quiet'],
      root,
    );
    expect(ok.thrown).toBeNull();
    expect(ok.stdout).toContain('✓ conforms in everything that applied');
    expect(ok.stdout).toMatch(/leader-stability +– not judged/);
    expect(ok.code).toBe(0);
    const bad = await simInProcess(
      [
        'conform',
        '--impl',
        'examples/student-raft/bug-vote-without-log-check.ts',
        '--sweep',
        '2',
        '--workers',
        '1',
        '--quiet',
        '--no-shrink',
      ],
      root,
    );
    expect(bad.code).toBe(1);
    // The sweep column; the saved scenarios may catch it too (the catalogue's traces of vote bugs).
    expect(bad.stdout).toMatch(/leader-completeness +(✓ held|✗ \d+ failed) +✗ 2 seeds, first 1/);
    expect(bad.stdout).toContain(
      'npm run sim -- --seed 1 --profile swarm --impl examples/student-raft/bug-vote-without-log-check.ts',
    );
    expect(bad.stdout).toContain('✗ does not conform');
  });
});

describe('bad implementations are reported, not crashes', () => {
  it('a module that throws: an impl-error naming the node and the call, and the sweep goes on', async () => {
    const throws = moduleSpec('test/support/impls/throws-on-append.ts');
    await loadImpl(throws);
    const run = runClassified(shortSchedule(1), { impl: throws });
    expect(run).toMatchObject({ kind: 'impl-error' });
    expect('message' in run && run.message).toMatch(
      /^S2 threw in step\(\w+ from S\d\): TypeError: cannot read/,
    );
    const sweep = await runSweep({
      lo: 1,
      hi: 3,
      workers: 0,
      settings: settingsFor(throws),
      stopOnFailure: false,
    });
    expect(sweep.outcomes.map((o) => o.kind)).toEqual(['impl-error', 'impl-error', 'impl-error']);
  });

  it('a module whose Ready is malformed: an impl-error, not a TypeError inside raftsim', async () => {
    const bad = moduleSpec('test/support/impls/bad-ready.ts');
    await loadImpl(bad);
    const run = runClassified(shortSchedule(1), { impl: bad });
    expect(run.kind).toBe('impl-error');
    expect('message' in run && run.message).toBe(
      'S3 ready() returned no Ready ({messages: [], toApply: [], ...})',
    );
  });

  it('a module that reads the clock: the determinism fence stops it, an impl-error', async () => {
    const clock = moduleSpec('test/support/impls/reads-the-clock.ts');
    await loadImpl(clock);
    const run = runClassified(shortSchedule(1), { impl: clock });
    expect(run.kind).toBe('impl-error');
    expect('message' in run && run.message).toMatch(
      /^S\d threw in tick: Error: determinism fence: Date.now called/,
    );
  });

  it.each([
    ['exit', /^S2 \(\w+.*\): exited with code 3 \(stderr: fatal: out of cheese\)$/],
    ['garbage', /^S2 \(\w+.*\) answered with a line that is not a JSON object: panic: this is not JSON$/],
    ['late', /^S2 \(\w+.*\): did not answer within 300 ms$/],
  ])(
    'a process that misbehaves (%s): an impl-error naming the node and what it did',
    async (how, message) => {
      const spec = command(`python3 test/support/impls/misbehaving-node.py ${how} 20`, 300);
      await loadImpl(spec);
      const run = runClassified(shortSchedule(1), { impl: spec });
      expect(run.kind).toBe('impl-error');
      expect('message' in run && run.message).toMatch(message);
    },
    60_000,
  );

  it('bad flags: one line, exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['--impl', 'examples/reference.ts', '--bug', 'figure8'],
        /--bug switches on bugs of the reference node/,
      ],
      [['--impl', 'examples/nowhere.ts'], /^raftsim: --impl examples\/nowhere.ts: could not be loaded/],
      [['--impl', 'package.json'], /the default export must be/],
      [['--impl', 'examples/reference.ts', '--impl-cmd', 'x'], /either --impl or --impl-cmd/],
      [['--impl', 'examples/student-raft/index.ts', '--prevote'], /--prevote: student-raft does not declare/],
      [['--impl-cmd', 'exit 0'], /^raftsim: --impl-cmd "exit 0": exited with code 0/],
      [['conform'], /name the implementation/],
    ];
    for (const [args, line] of cases) {
      const r = await simInProcess(args, root);
      expect(r.thrown, args.join(' ')).toBeNull();
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr, args.join(' ')).toMatch(line);
    }
  }, 60_000);
});

describe('--impl-cmd: the Python node over the JSON-lines protocol', () => {
  it('is deterministic: two runs give the same trace hash, and every property holds', async () => {
    await loadImpl(python);
    const schedule = shortSchedule(3, 4000);
    const a = runSchedule(schedule, { impl: python, onTrace: () => {} });
    const b = runSchedule(schedule, { impl: python, onTrace: () => {} });
    expect(a.violation).toBeNull();
    expect(a.traceHash).not.toBeNull();
    expect(b.traceHash).toBe(a.traceHash);
    expect(a.maxCommitIndex).toBeGreaterThan(10);
  }, 60_000);

  it('its seeded bug: the saved shrunk trace replays the violation, and the node without it passes', async () => {
    await loadImpl(pythonBug);
    const trace = readTraceFile('examples/py-raft/accept-stale-leader.json');
    const expected = trace.expectations[0]!.outcome;
    expect(expected).toMatchObject({ status: 'violation', property: 'leader-append-only' });
    expect(runForOutcome(trace.schedule, { bugs: [], impl: pythonBug }).outcome).toEqual(expected);
    expect(runForOutcome(trace.schedule, { bugs: [], impl: python }).outcome).toEqual({ status: 'ok' });
  }, 60_000);

  it('its seeded bug is shrunk through the protocol (a small budget, from the trace before shrinking)', async () => {
    await loadImpl(pythonBug);
    // A schedule of the shape the saved trace was shrunk from (partition and pause storms, batches
    // of 2, 15 s): swarm seed 9 with those knobs held, where the bug breaks state machine safety.
    const seed = 9;
    const held = {
      preVote: false,
      checkQuorum: false,
      readMode: 'log' as const,
      noMembership: true as const,
    };
    const settings: SweepSettings = {
      mode: 'swarm',
      overrides: { timeMs: 15_000, partitionsPerMin: 40, pausesPerMin: 40, maxEntriesPerAppend: 2 },
      bugs: [],
      impl: pythonBug,
      held,
    };
    const schedule = generateSchedule(seed, configOf(seed, settings));
    const shrunk = shrinkSchedule(schedule, {
      bugs: [],
      impl: pythonBug,
      budget: { kind: 'runs', runs: 12 },
    });
    expect(shrunk.outcome.property).toBe('state-machine-safety');
    expect(shrunk.after.faults + shrunk.after.ops).toBeLessThan(shrunk.before.faults + shrunk.before.ops);
  }, 120_000);
});
