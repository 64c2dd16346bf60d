import type { Violation } from '../../properties/types.ts';
import { bootstrapMembership, isVoterIn } from '../../src/raft/membership.ts';
import type { RaftProcess } from '../../src/raft/process.ts';
import type { Membership, NodeId } from '../../src/raft/types.ts';
import { type SimConfig, serverCount } from '../model/config.ts';
import type { Network } from './network.ts';

/**
 * Leader stability, the liveness half of PreVote (thesis §9.6; Howard and Abraham, "Raft does not
 * guarantee liveness in the face of network faults", 2020): a leader that is up and connected to a
 * majority must stay leader. Its observable breach is an election for a later term started while
 * such a leader exists, because that election, won or not, is what unseats it (the voters adopt
 * the later term and refuse the leader's next heartbeat).
 *
 * "Connected" is judged from the simulator's own ground truth, never from the nodes' state: over
 * the last `windowMs`, the leader has led, and a majority of its configuration (of each half while
 * joint; the leader among them) have been up, unpaused, on the leader's term and joined to it by
 * links up in both directions. The
 * window is long enough for every message sent before it to have arrived, and for each of those
 * nodes to have heard the leader at least once more.
 *
 * With PreVote a correct node only starts an election after a majority granted it a pre-vote, and
 * a node that heard a leader within the minimum election timeout refuses one, so the breach cannot
 * happen — provided heartbeats really do arrive more often than that timeout. The property is
 * therefore judged only in runs where the network guarantees it: PreVote on, no random loss, no
 * long delays, and one heartbeat interval plus the largest delay well inside the minimum election
 * timeout under the worst clock drift. Otherwise `skipReason` says why it is not judged.
 *
 * Costs nothing per step: the runner calls `onElection` only when a node becomes a candidate, and
 * the fault hooks only on faults.
 */
export class LeaderStability {
  /** Null when the property is judged in this run, else why not. */
  readonly skipReason: string | null;
  readonly windowMs: number;
  /** Every server, spares included. */
  private readonly n: number;
  /** The initial voters' configuration: what a leader is in when the caller does not say. */
  private readonly bootstrap: Membership;
  /** linkUpSinceMs[(from - 1) * n + (to - 1)]: since when the link has been up; +∞ while down. */
  private readonly linkUpSinceMs: Float64Array;
  /** Since when each node has been up and running (not crashed, not paused); +∞ while it is not. */
  private readonly runningSinceMs: Float64Array;
  /** When each node last became leader (meaningful while it leads). */
  private readonly leaderSinceMs: Float64Array;

  constructor(config: SimConfig) {
    this.n = serverCount(config);
    const voters: NodeId[] = [];
    for (let id = 1; id <= config.nodes; id++) voters.push(id);
    this.bootstrap = bootstrapMembership(voters);
    const r = config.raft;
    const net = config.network;
    this.windowMs = r.electionTimeoutMsMax + r.heartbeatMs + 2 * net.delayMsMax;
    this.skipReason = stabilitySkipReason(config);
    this.linkUpSinceMs = new Float64Array(this.n * this.n);
    this.runningSinceMs = new Float64Array(this.n + 1);
    this.leaderSinceMs = new Float64Array(this.n + 1).fill(Number.POSITIVE_INFINITY);
  }

  /** After any fault that changed links: links that came up start their clock now. */
  onLinks(network: Network, nowMs: number): void {
    const n = this.n;
    for (let from = 1; from <= n; from++) {
      for (let to = 1; to <= n; to++) {
        if (from === to) continue;
        const slot = (from - 1) * n + (to - 1);
        const up = !network.isBlocked(from, to);
        const since = this.linkUpSinceMs[slot]!;
        if (!up) this.linkUpSinceMs[slot] = Number.POSITIVE_INFINITY;
        else if (since === Number.POSITIVE_INFINITY) this.linkUpSinceMs[slot] = nowMs;
      }
    }
  }

  /** A node crashed or was paused. */
  onStopped(node: NodeId): void {
    this.runningSinceMs[node] = Number.POSITIVE_INFINITY;
  }

  /** A node restarted or resumed. */
  onRunning(node: NodeId, nowMs: number): void {
    this.runningSinceMs[node] = nowMs;
  }

  onLeader(node: NodeId, nowMs: number): void {
    this.leaderSinceMs[node] = nowMs;
  }

  /**
   * `candidate` has just started an election for `term`. Returns the violation if some leader of
   * an earlier term was, at this instant, connected to a majority for the whole window.
   */
  onElection(
    candidate: NodeId,
    term: number,
    processes: readonly (RaftProcess | null)[],
    nowMs: number,
    configOf: (node: NodeId) => Membership = () => this.bootstrap,
  ): Violation | null {
    if (this.skipReason !== null) return null;
    const n = this.n;
    const since = nowMs - this.windowMs;
    for (let leader = 1; leader <= n; leader++) {
      const lp = processes[leader - 1];
      if (lp === null || lp === undefined || lp.role !== 'leader' || lp.currentTerm >= term) continue;
      if (this.leaderSinceMs[leader]! > since || this.runningSinceMs[leader]! > since) continue;
      const t = lp.currentTerm;
      // A majority of the leader's configuration (of each half while joint), as the leader counts.
      const config = configOf(leader);
      const quorum: NodeId[] = [leader];
      for (let m = 1; m <= n; m++) {
        if (m === leader || !isVoterIn(config, m)) continue;
        const mp = processes[m - 1];
        if (mp === null || mp === undefined || mp.currentTerm !== t) continue;
        if (this.runningSinceMs[m]! > since) continue;
        if (this.linkUpSinceMs[(leader - 1) * n + (m - 1)]! > since) continue;
        if (this.linkUpSinceMs[(m - 1) * n + (leader - 1)]! > since) continue;
        quorum.push(m);
      }
      if (!majorityOfEach(config, quorum)) continue;
      const names = quorum.map((id) => `S${id}`).join(', ');
      return {
        property: 'leader-stability',
        message:
          `S${candidate} started an election for term ${term} while S${leader} led term ${t}, up and ` +
          `connected both ways to a majority (${names}) for the last ${this.windowMs} ms: ` +
          'a healthy leader is being unseated',
        nodes: [candidate, leader],
        terms: [t, term],
        indices: [],
      };
    }
    return null;
  }
}

function majorityOfEach(config: Membership, nodes: readonly NodeId[]): boolean {
  for (const half of [config.voters, config.outgoing]) {
    if (half.length === 0) continue;
    const inHalf = nodes.filter((id) => half.includes(id)).length;
    if (2 * inHalf <= half.length) return false;
  }
  return true;
}

/** Why leader stability cannot be judged in this config, or null when it can. */
export function stabilitySkipReason(c: SimConfig): string | null {
  const r = c.raft;
  const net = c.network;
  if (!r.preVote) return 'leader stability not checked: PreVote is off';
  if (net.dropRate > 0) return 'leader stability not checked: the network loses messages';
  if (net.longDelayRate > 0 && net.longDelayMsMax > net.delayMsMax)
    return 'leader stability not checked: the network has long delays';
  // Two clocks may differ in rate by twice the per-node bound.
  const drift = (2 * c.clockDriftPpmMax) / 1e6;
  const gapMs = r.heartbeatMs * (1 + drift) + net.delayMsMax - net.delayMsMin;
  if (gapMs + 1 >= r.electionTimeoutMsMin * (1 - drift))
    return (
      `leader stability not checked: heartbeats may arrive ${gapMs.toFixed(1)} ms apart, ` +
      `not well inside the ${r.electionTimeoutMsMin} ms minimum election timeout`
    );
  return null;
}
