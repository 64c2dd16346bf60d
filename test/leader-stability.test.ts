import { describe, expect, it } from 'vitest';
import { Network } from '../sim/engine/network.ts';
import { LeaderStability, stabilitySkipReason } from '../sim/engine/stability.ts';
import { runSchedule } from '../sim/explore/run.ts';
import { defaultConfig, type SimConfig } from '../sim/model/config.ts';
import type { Fault, Schedule } from '../sim/model/schedule.ts';
import type { RaftProcess } from '../src/raft/process.ts';
import type { Role } from '../src/raft/types.ts';

const BUG = 'prevote-without-stickiness';

/** Three nodes, PreVote on, a loss-free network with 1-5 ms delays, no clients: an idle log. */
function stableConfig(overrides: Partial<SimConfig['raft']> = {}): SimConfig {
  const base = defaultConfig();
  return {
    ...base,
    nodes: 3,
    clients: 0,
    timeMs: 3000,
    quietMs: 0,
    raft: { ...base.raft, preVote: true, ...overrides },
    network: { ...base.network, delayMsMin: 1, delayMsMax: 5, dropRate: 0, dupRate: 0, longDelayRate: 0 },
  };
}

/**
 * S1 leads from 10 ms; at 600 ms the link between S1 and S3 goes down both ways and stays down.
 * S2 still hears S1, S3 hears no one but S2. S1 is connected to a majority (S1, S2) throughout.
 */
function partialPartition(overrides: Partial<SimConfig['raft']> = {}): Schedule {
  const faults: Fault[] = [
    { atMs: 10, type: 'campaign', node: 1 },
    { atMs: 600, type: 'link', from: 1, to: 3, up: false },
    { atMs: 600, type: 'link', from: 3, to: 1, up: false },
  ];
  return { version: 1, seed: 5, config: stableConfig(overrides), faults, ops: [] };
}

describe('leader stability in a simulated run', () => {
  it.each([{ checkQuorum: false }, { checkQuorum: true }])(
    'catches S3 unseating S1 under a partial partition with the bug on, and holds with it off ($checkQuorum)',
    (raft) => {
      const buggy = runSchedule(partialPartition(raft), { bugs: [BUG] });
      expect(buggy.violation?.property).toBe('leader-stability');
      expect(buggy.violation?.nodes).toEqual([3, 1]);
      expect(buggy.violation?.message).toMatch(
        /^S3 started an election for term 2 while S1 led term 1, up and connected both ways to a majority \(S1, S2\)/,
      );
      // It fires after S3's election timeout, counted from the cut.
      expect(buggy.violation!.timeMs).toBeGreaterThan(600 + 150);

      const correct = runSchedule(partialPartition(raft), {});
      expect(correct.violation).toBeNull();
      // S1 leads the whole run: S2 refuses S3's pre-votes while it hears S1.
      expect(correct.leadersByTerm).toEqual([{ term: 1, leader: 1 }]);
    },
  );

  it('does not fire when the leader has lost its majority: S1 cut off from both others', () => {
    const schedule = partialPartition();
    const faults: Fault[] = [
      { atMs: 10, type: 'campaign', node: 1 },
      { atMs: 600, type: 'partition', groups: [[1], [2, 3]] },
    ];
    const run = runSchedule({ ...schedule, faults }, { bugs: [BUG] });
    expect(run.violation).toBeNull();
    expect(run.leadersByTerm.length).toBeGreaterThan(1);
  });

  it('is not judged where heartbeats may not arrive in time, and the runner can switch it off', () => {
    const off = runSchedule(partialPartition(), { bugs: [BUG], leaderStability: false });
    expect(off.violation).toBeNull();
    const noPreVote = runSchedule(partialPartition({ preVote: false }), { bugs: [BUG] });
    expect(noPreVote.violation).toBeNull();
  });

  it('is deterministic: the same violation at the same step, twice', () => {
    const a = runSchedule(partialPartition(), { bugs: [BUG] });
    const b = runSchedule(partialPartition(), { bugs: [BUG] });
    expect(a.violation).toEqual(b.violation);
    expect(a.events).toBe(b.events);
  });
});

describe('stabilitySkipReason', () => {
  it('judges only loss-free runs with PreVote where heartbeats arrive well inside the election timeout', () => {
    const c = stableConfig();
    expect(stabilitySkipReason(c)).toBeNull();
    expect(stabilitySkipReason({ ...c, raft: { ...c.raft, preVote: false } })).toMatch(/PreVote is off/);
    expect(stabilitySkipReason({ ...c, network: { ...c.network, dropRate: 0.01 } })).toMatch(
      /loses messages/,
    );
    expect(stabilitySkipReason({ ...c, network: { ...c.network, longDelayRate: 0.01 } })).toMatch(
      /long delays/,
    );
    // 50 ms heartbeats plus up to 99 ms of jitter no longer fit in a 150 ms timeout.
    expect(stabilitySkipReason({ ...c, network: { ...c.network, delayMsMax: 100 } })).toMatch(/arrive/);
    expect(stabilitySkipReason({ ...c, clockDriftPpmMax: 300_000 })).toMatch(/arrive/);
  });
});

/** Just what LeaderStability reads of a process. */
function proc(role: Role, currentTerm: number): RaftProcess {
  return { role, currentTerm } as RaftProcess;
}

describe('LeaderStability, driven by hand', () => {
  const config = stableConfig();
  const net = () => new Network(1, 3, config.network);

  function monitor(network: Network): LeaderStability {
    const s = new LeaderStability(config);
    s.onLinks(network, 0);
    s.onLeader(1, 0);
    return s;
  }

  it('flags an election for a later term against a leader connected to a majority for the whole window', () => {
    const network = net();
    const s = monitor(network);
    const after = s.windowMs;
    const procs = [proc('leader', 1), proc('follower', 1), proc('candidate', 2)];
    expect(s.onElection(3, 2, procs, after)?.property).toBe('leader-stability');
    // Not before the window has passed, and not for an election of the leader's own term.
    expect(s.onElection(3, 2, procs, after - 1)).toBeNull();
    expect(
      s.onElection(3, 1, [proc('leader', 1), proc('follower', 1), proc('candidate', 1)], after),
    ).toBeNull();
  });

  it('does not flag when one direction of the link to the majority was down inside the window', () => {
    const network = net();
    const s = monitor(network);
    network.setLink(2, 1, false);
    s.onLinks(network, 100);
    network.setLink(2, 1, true);
    s.onLinks(network, 110);
    const procs = [proc('leader', 1), proc('follower', 1), proc('candidate', 2)];
    expect(s.onElection(3, 2, procs, 110 + s.windowMs - 1)).toBeNull();
    expect(s.onElection(3, 2, procs, 110 + s.windowMs)).not.toBeNull();
  });

  it('does not flag when the majority member was paused or restarted inside the window, or is on another term', () => {
    const network = net();
    const s = monitor(network);
    s.onStopped(2);
    const procs = [proc('leader', 1), proc('follower', 1), proc('candidate', 2)];
    expect(s.onElection(3, 2, procs, s.windowMs)).toBeNull();
    s.onRunning(2, 50);
    expect(s.onElection(3, 2, procs, 50 + s.windowMs - 1)).toBeNull();
    expect(s.onElection(3, 2, procs, 50 + s.windowMs)).not.toBeNull();
    const otherTerm = [proc('leader', 1), proc('follower', 2), proc('candidate', 2)];
    expect(s.onElection(3, 2, otherTerm, 50 + s.windowMs)).toBeNull();
    const crashed = [proc('leader', 1), null, proc('candidate', 2)];
    expect(s.onElection(3, 2, crashed, 50 + s.windowMs)).toBeNull();
  });
});
