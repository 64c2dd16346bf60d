import { describe, expect, it } from 'vitest';
import { generateSchedule } from '../sim/explore/generate.ts';
import {
  DEFAULT_PARTITION_SHAPES,
  defaultConfig,
  faultsEndMs,
  type PartitionShape,
  type SimConfig,
  validateConfig,
} from '../sim/model/config.ts';
import { type Fault, isRepairOnlyFrom, type Schedule, validateSchedule } from '../sim/model/schedule.ts';

const busy = (): SimConfig => {
  const c = defaultConfig();
  return { ...c, faults: { ...c.faults, partitionsPerMin: 10, crashesPerMin: 10, pausesPerMin: 10 } };
};

/** Replays crashes and restarts: which nodes are down after the whole list. */
function downAfter(faults: readonly Fault[]): Set<number> {
  const down = new Set<number>();
  for (const f of faults) {
    if (f.type === 'crash') down.add(f.node);
    if (f.type === 'restart') down.delete(f.node);
  }
  return down;
}

describe('generateSchedule', () => {
  it('is deterministic and depends on the seed', () => {
    const config = busy();
    expect(generateSchedule(11, config)).toEqual(generateSchedule(11, config));
    expect(generateSchedule(12, config).faults).not.toEqual(generateSchedule(11, config).faults);
  });

  it('is plain JSON', () => {
    const s = generateSchedule(3, busy());
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    expect(validateSchedule(s)).toBeNull();
  });

  it('sorts faults by time and ends with the recovery: heal, restart every node still down, nothing after', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const config = busy();
      const s = generateSchedule(seed, config);
      const endMs = faultsEndMs(config);
      const times = s.faults.map((f) => f.atMs);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      const before = s.faults.filter((f) => f.atMs < endMs);
      const after = s.faults.filter((f) => f.atMs >= endMs);
      expect(after.every((f) => f.atMs === endMs)).toBe(true);
      expect(after[0]).toEqual({ atMs: endMs, type: 'heal' });
      expect(after.slice(1).every((f) => f.type === 'restart')).toBe(true);
      expect(new Set(after.slice(1).map((f) => (f.type === 'restart' ? f.node : 0)))).toEqual(
        downAfter(before),
      );
      expect(downAfter(s.faults).size).toBe(0);
      expect(isRepairOnlyFrom(s.faults, endMs)).toBe(true);
      // Every pause is over by the time the quiet period starts.
      for (const f of s.faults)
        if (f.type === 'pause') expect(f.atMs + f.durationMs).toBeLessThanOrEqual(endMs);
    }
  });

  it('draws every kind of fault, partitions of several shapes among them', () => {
    const faults = [1, 2, 3, 4, 5].flatMap((seed) => generateSchedule(seed, busy()).faults);
    const types = new Set(faults.map((f) => f.type));
    expect(types).toEqual(new Set(['partition', 'heal', 'link', 'crash', 'restart', 'pause']));
    const groupCounts = new Set(faults.map((f) => (f.type === 'partition' ? f.groups.length : -1)));
    expect(groupCounts.has(1)).toBe(true); // one node cut off
    expect(groupCounts.has(2)).toBe(true);
    expect(groupCounts.has(3)).toBe(true);
  });

  it('crashes a node only while it is up', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const down = new Set<number>();
      for (const f of generateSchedule(seed, busy()).faults) {
        if (f.type === 'crash') {
          expect(down.has(f.node)).toBe(false);
          down.add(f.node);
        } else if (f.type === 'restart') {
          expect(down.has(f.node)).toBe(true);
          down.delete(f.node);
        }
      }
    }
  });

  it('keeps one kind of fault unchanged when the rate of another changes', () => {
    const config = busy();
    const noCrashes = { ...config, faults: { ...config.faults, crashesPerMin: 0 } };
    const pick = (s: Schedule, types: string[]) =>
      s.faults.filter((f) => types.includes(f.type) && f.atMs < 55_000);
    const kinds = ['partition', 'link', 'pause'];
    expect(pick(generateSchedule(5, noCrashes), kinds)).toEqual(pick(generateSchedule(5, config), kinds));
    expect(pick(generateSchedule(5, noCrashes), ['crash'])).toEqual([]);
  });

  it("keeps one client's ops unchanged when another client is added", () => {
    const config = defaultConfig();
    const a = generateSchedule(9, { ...config, clients: 2 }).ops.filter((o) => o.client === 1);
    const b = generateSchedule(9, { ...config, clients: 5 }).ops.filter((o) => o.client === 1);
    expect(b).toEqual(a);
  });

  it('draws ops over the run with unique values, a small key space and the asked mix', () => {
    const config = defaultConfig();
    const s = generateSchedule(4, config);
    expect(s.ops.length).toBeGreaterThan(4000);
    const values = s.ops.flatMap((o) => (o.op.type === 'get' ? [] : [o.op.value]));
    expect(new Set(values).size).toBe(values.length);
    expect(values.every((v) => /^c[1-5]-\d+$/.test(v))).toBe(true);
    expect(new Set(s.ops.map((o) => o.op.key))).toEqual(new Set(['k0', 'k1', 'k2', 'k3', 'k4']));
    const share = (type: string) => s.ops.filter((o) => o.op.type === type).length / s.ops.length;
    expect(share('get')).toBeCloseTo(0.4, 1);
    expect(share('put')).toBeCloseTo(0.3, 1);
    expect(share('append')).toBeCloseTo(0.25, 1);
    expect(share('cas')).toBeCloseTo(0.05, 1);
    expect(s.ops.every((o) => o.atMs < config.timeMs)).toBe(true);
  });

  it('has no faults at all but the recovery heal when rates are zero', () => {
    const c = defaultConfig();
    const s = generateSchedule(1, {
      ...c,
      faults: { ...c.faults, partitionsPerMin: 0, crashesPerMin: 0, pausesPerMin: 0 },
    });
    expect(s.faults).toEqual([{ atMs: faultsEndMs(c), type: 'heal' }]);
  });
});

describe('validation', () => {
  it("draws partitions from the config's shapes; the default list draws as if none were named", () => {
    const c = busy();
    const shaped = (shapes: readonly PartitionShape[]): SimConfig => ({
      ...c,
      faults: { ...c.faults, partitionShapes: shapes },
    });
    for (let seed = 1; seed <= 5; seed++) {
      expect(generateSchedule(seed, shaped(DEFAULT_PARTITION_SHAPES)).faults).toEqual(
        generateSchedule(seed, c).faults,
      );
      // 'link': one link down both ways, both directions coming back together.
      const faults = generateSchedule(seed, shaped(['link'])).faults.filter(
        (f) => f.type !== 'crash' && f.type !== 'restart' && f.type !== 'pause',
      );
      const links = faults.filter((f) => f.type === 'link');
      expect(links.length).toBeGreaterThan(4);
      expect(faults.filter((f) => f.type === 'partition')).toEqual([]);
      for (let i = 0; i + 1 < links.length; i += 2) {
        const [a, b] = [links[i]!, links[i + 1]!];
        if (a.type !== 'link' || b.type !== 'link') throw new Error('not a link fault');
        expect([a.atMs, a.up, a.from, a.to]).toEqual([b.atMs, b.up, b.to, b.from]);
      }
    }
  });

  it('names the bad config field', () => {
    const c = defaultConfig();
    expect(validateConfig(c)).toBeNull();
    expect(validateConfig({ ...c, nodes: 0 })).toMatch(/^config\.nodes must be/);
    expect(validateConfig({ ...c, network: { ...c.network, dropRate: 2 } })).toMatch(
      /config\.network\.dropRate/,
    );
    expect(validateConfig({ ...c, quietMs: c.timeMs + 1 })).toMatch(/config\.quietMs/);
    expect(validateConfig({ ...c, faults: { ...c.faults, downMsMax: 1 } })).toMatch(
      /config\.faults\.downMsMax/,
    );
    expect(() => generateSchedule(1, { ...c, clients: -1 })).toThrow(/config\.clients/);
    const badShapes = { ...c.faults, partitionShapes: ['ring'] } as unknown as SimConfig['faults'];
    expect(validateConfig({ ...c, faults: badShapes })).toMatch(/^config\.faults\.partitionShapes must be/);
    expect(validateConfig({ ...c, faults: { ...c.faults, partitionShapes: [] } })).toMatch(/partitionShapes/);
    const badRouting = { ...c.clientsCfg, routing: 'nearest' } as unknown as SimConfig['clientsCfg'];
    expect(validateConfig({ ...c, clientsCfg: badRouting })).toMatch(/^config\.clientsCfg\.routing must be/);
  });

  it('names the bad schedule field', () => {
    const s = generateSchedule(2, busy());
    expect(validateSchedule({ ...s, version: 2 as 1 })).toMatch(/^version must be 1/);
    const badNode = [{ atMs: 10, type: 'crash', node: 9 } as Fault, ...s.faults];
    expect(validateSchedule({ ...s, faults: badNode })).toMatch(
      /^faults\[0\]\.node must be a node id from 1 to 5/,
    );
    const unsorted = [...s.faults, { atMs: 0, type: 'heal' } as Fault];
    expect(validateSchedule({ ...s, faults: unsorted })).toMatch(/atMs must not be before/);
    const badOp = [{ client: 1, atMs: 5, op: { type: 'put', key: 'k' } }, ...s.ops] as Schedule['ops'];
    expect(validateSchedule({ ...s, ops: badOp })).toBe('ops[0].op.value must be a string');
    const badClient = [{ client: 7, atMs: 5, op: { type: 'get', key: 'k' } }, ...s.ops] as Schedule['ops'];
    expect(validateSchedule({ ...s, ops: badClient })).toMatch(/^ops\[0\]\.client/);
  });
});
