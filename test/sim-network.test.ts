import { describe, expect, it } from 'vitest';
import { Network } from '../sim/engine/network.ts';
import { DEFAULT_NETWORK_CONFIG, type NetworkConfig } from '../sim/model/config.ts';

const quiet: NetworkConfig = { ...DEFAULT_NETWORK_CONFIG, dropRate: 0, dupRate: 0, longDelayRate: 0 };

describe('Network', () => {
  it('delivers with a delay within the configured bounds', () => {
    const net = new Network(1, 3, { ...quiet, delayMsMin: 4, delayMsMax: 9 });
    const delays = new Set<number>();
    for (let i = 0; i < 500; i++) {
      expect(net.plan(1, 2)).toBe(1);
      delays.add(net.delayMs0);
    }
    expect(Math.min(...delays)).toBe(4);
    expect(Math.max(...delays)).toBe(9);
  });

  it('drops, duplicates and long-delays at the configured rates', () => {
    const net = new Network(2, 2, { ...quiet, dropRate: 1 });
    expect(net.plan(1, 2)).toBe(0);
    expect(net.droppedRandom).toBe(1);
    const dup = new Network(2, 2, { ...quiet, dupRate: 1 });
    expect(dup.plan(1, 2)).toBe(2);
    expect(dup.duplicated).toBe(1);
    const long = new Network(2, 2, { ...quiet, longDelayRate: 1, delayMsMax: 10, longDelayMsMax: 500 });
    for (let i = 0; i < 100; i++) {
      long.plan(2, 1);
      expect(long.delayMs0).toBeGreaterThan(10);
      expect(long.delayMs0).toBeLessThanOrEqual(500);
    }
  });

  it('cuts links between groups and isolates a node in no group', () => {
    const net = new Network(1, 5, quiet);
    net.partition([
      [1, 2],
      [3, 4],
    ]);
    expect(net.isBlocked(1, 2)).toBe(false);
    expect(net.isBlocked(3, 4)).toBe(false);
    expect(net.isBlocked(1, 3)).toBe(true);
    expect(net.isBlocked(4, 2)).toBe(true);
    expect(net.isBlocked(5, 1)).toBe(true);
    expect(net.isBlocked(1, 5)).toBe(true);
    expect(net.plan(1, 3)).toBe(0);
    expect(net.droppedAtSend).toBe(1);
    net.heal();
    expect(net.linksDown()).toBe(0);
    expect(net.plan(1, 3)).toBe(1);
  });

  it('cuts a node in no group off from all, other nodes in no group included', () => {
    const net = new Network(1, 5, quiet);
    net.partition([[1, 2]]);
    expect(net.isBlocked(1, 2)).toBe(false);
    expect(net.isBlocked(2, 1)).toBe(false);
    for (const [from, to] of [
      [3, 4],
      [4, 3],
      [3, 5],
      [5, 4],
      [3, 1],
      [1, 3],
    ] as const) {
      expect(net.isBlocked(from, to), `S${from}→S${to}`).toBe(true);
    }
    // Every directed link touching S3, S4 or S5: 5 × 4 minus the two between S1 and S2.
    expect(net.linksDown()).toBe(5 * 4 - 2);
  });

  it('an empty partition cuts every node off from every other', () => {
    const net = new Network(1, 3, quiet);
    net.partition([]);
    expect(net.linksDown()).toBe(3 * 2);
  });

  it('one-way links: each direction goes down and up on its own, over a partition too; heal restores all', () => {
    const net = new Network(1, 3, quiet);
    net.setLink(1, 2, false);
    net.setLink(2, 1, false);
    net.setLink(1, 2, true);
    expect(net.isBlocked(1, 2)).toBe(false);
    expect(net.isBlocked(2, 1)).toBe(true);
    // Taking a link down twice, then up once, leaves it up: a link is up or down, not counted.
    net.setLink(2, 3, false);
    net.setLink(2, 3, false);
    net.setLink(2, 3, true);
    expect(net.isBlocked(2, 3)).toBe(false);
    // A link fault after a partition changes only its own direction of the partition's state.
    net.partition([[1, 2], [3]]);
    net.setLink(1, 2, false);
    net.setLink(3, 1, true);
    expect([net.isBlocked(1, 2), net.isBlocked(2, 1)]).toEqual([true, false]);
    expect([net.isBlocked(3, 1), net.isBlocked(1, 3)]).toEqual([false, true]);
    expect(net.isBlocked(2, 3)).toBe(true);
    net.heal();
    expect(net.linksDown()).toBe(0);
  });

  it('takes one direction of a link down on its own', () => {
    const net = new Network(1, 3, quiet);
    net.setLink(1, 2, false);
    expect(net.isBlocked(1, 2)).toBe(true);
    expect(net.isBlocked(2, 1)).toBe(false);
    expect(net.linksDown()).toBe(1);
    net.setLink(1, 2, true);
    expect(net.isBlocked(1, 2)).toBe(false);
  });

  it('a new partition replaces the previous link state', () => {
    const net = new Network(1, 3, quiet);
    net.setLink(1, 2, false);
    net.partition([[1, 2, 3]]);
    expect(net.linksDown()).toBe(0);
  });

  it('draws per link: traffic on one link does not change the luck of another', () => {
    const a = new Network(8, 3, DEFAULT_NETWORK_CONFIG);
    const b = new Network(8, 3, DEFAULT_NETWORK_CONFIG);
    for (let i = 0; i < 100; i++) a.plan(1, 2);
    const fate = (net: Network) => Array.from({ length: 50 }, () => `${net.plan(1, 3)}:${net.delayMs0}`);
    expect(fate(a)).toEqual(fate(b));
  });

  it('rejects a link to a node that does not exist', () => {
    const net = new Network(1, 3, quiet);
    expect(() => net.plan(1, 4)).toThrow(/no link/);
  });
});
