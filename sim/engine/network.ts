import { AssertionError, assert } from '../../src/assert.ts';
import type { NodeId } from '../../src/raft/types.ts';
import type { NetworkConfig } from '../model/config.ts';
import { intBetween, type Random, stream } from './rng.ts';

/**
 * The message network between nodes: per-link randomness, per-link up/down state.
 *
 * `plan(from, to)` decides the fate of one message and leaves the delays of its copies in
 * `delayMs0` / `delayMs1` (fields, not a returned object, so that deciding allocates nothing).
 * The runner turns the copies into delivery events and asks `isBlocked` again on arrival: a
 * partition also catches messages already in flight.
 */
export class Network {
  readonly nodes: number;
  /** blocked[(from - 1) * nodes + (to - 1)] = 1 when messages from → to are cut. */
  private readonly blocked: Uint8Array;
  private readonly rngs: Random[];
  private cfg: NetworkConfig;
  /** Delay of the first and (when duplicated) second copy of the last planned message. */
  delayMs0 = 0;
  delayMs1 = 0;

  /** Counters for the run summary. */
  sent = 0;
  droppedRandom = 0;
  droppedAtSend = 0;
  duplicated = 0;

  constructor(seed: number, nodes: number, cfg: NetworkConfig) {
    this.nodes = nodes;
    this.cfg = cfg;
    this.blocked = new Uint8Array(nodes * nodes);
    this.rngs = [];
    for (let from = 1; from <= nodes; from++) {
      for (let to = 1; to <= nodes; to++) this.rngs.push(stream(seed, 'link', from, to));
    }
  }

  private slot(from: NodeId, to: NodeId): number {
    const n = this.nodes;
    if (from < 1 || from > n || to < 1 || to > n) throw new AssertionError(`no link S${from}→S${to}`);
    return (from - 1) * n + (to - 1);
  }

  isBlocked(from: NodeId, to: NodeId): boolean {
    return this.blocked[this.slot(from, to)] === 1;
  }

  /**
   * Decides what happens to one message from → to: returns how many copies to deliver
   * (0 dropped, 1, or 2 duplicated), with their delays in delayMs0 / delayMs1.
   * Draws only from the link's own stream, so traffic on one link never shifts another's luck.
   */
  plan(from: NodeId, to: NodeId): 0 | 1 | 2 {
    const slot = this.slot(from, to);
    this.sent++;
    if (this.blocked[slot] === 1) {
      this.droppedAtSend++;
      return 0;
    }
    const rng = this.rngs[slot]!;
    if (rng() < this.cfg.dropRate) {
      this.droppedRandom++;
      return 0;
    }
    this.delayMs0 = this.delay(rng);
    if (rng() < this.cfg.dupRate) {
      this.delayMs1 = this.delay(rng);
      this.duplicated++;
      return 2;
    }
    return 1;
  }

  private delay(rng: Random): number {
    const c = this.cfg;
    if (rng() < c.longDelayRate && c.longDelayMsMax > c.delayMsMax) {
      return intBetween(rng, c.delayMsMax + 1, c.longDelayMsMax);
    }
    return intBetween(rng, c.delayMsMin, c.delayMsMax);
  }

  /** Nodes in different groups cannot talk; a node in no group talks to no one. Replaces all link state. */
  partition(groups: readonly (readonly NodeId[])[]): void {
    const groupOf = new Int32Array(this.nodes + 1).fill(-1);
    groups.forEach((group, g) => {
      for (const id of group) {
        assert(id >= 1 && id <= this.nodes, () => `partition names S${id}, beyond S${this.nodes}`);
        groupOf[id] = g;
      }
    });
    for (let from = 1; from <= this.nodes; from++) {
      for (let to = 1; to <= this.nodes; to++) {
        const gf = groupOf[from]!;
        const cut = from !== to && (gf === -1 || gf !== groupOf[to]);
        this.blocked[(from - 1) * this.nodes + (to - 1)] = cut ? 1 : 0;
      }
    }
  }

  /** New settings for every message sent from now on (a scenario's `network` directive). */
  setConfig(cfg: NetworkConfig): void {
    this.cfg = cfg;
  }

  /** Every link up. */
  heal(): void {
    this.blocked.fill(0);
  }

  /** One direction of one link up or down. */
  setLink(from: NodeId, to: NodeId, up: boolean): void {
    this.blocked[this.slot(from, to)] = up ? 0 : 1;
  }

  /** Number of directed links currently down. */
  linksDown(): number {
    let count = 0;
    for (let i = 0; i < this.blocked.length; i++) count += this.blocked[i]!;
    return count;
  }
}
