import { describe, expect, it } from 'vitest';
import { BUGS } from '../bugs/index.ts';
import type { SeedOutcome, SweepSettings } from '../sim/explore/seed-job.ts';
import { runSweep } from '../sim/explore/sweep.ts';
import type { FailureKind } from '../sim/model/trace-file.ts';

/**
 * Every bug of the catalogue is found by an ordinary swarm sweep — the same seeds and profiles
 * `npm run sim -- --seeds a..b --bug NAME` runs — and reported with the property the catalogue
 * names, while the very same seeds pass with the bug off. The seed ranges were found by searching
 * from seed 1 and are fixed here: if a bug module stopped biting (a no-op policy), or the swarm
 * profile stopped reaching the faults it needs, its sweep would pass and this test would fail.
 */
const RANGES: Readonly<Record<string, readonly [lo: number, hi: number]>> = {
  'vote-no-log-check': [1, 2],
  'forget-vote': [50, 51],
  'forget-term': [1, 2],
  'truncate-on-stale-append': [1, 2],
  'commit-not-min': [2, 3],
  'count-duplicate-votes': [1, 2],
  'accept-stale-term-append': [3, 4],
  'match-from-log-length': [1, 2],
  'revote-same-term': [1, 2],
  'apply-uncommitted': [1, 2],
  'fixed-election-timeout': [2, 3],
  // Found through the swarm's Figure 8 layer (sim/explore/profile.ts, drawFigure8).
  figure8: [230, 231],
  // Found through the swarm's read layers (sim/explore/profile.ts): lease reads around frequent
  // failovers (drawReads), and lease reads without CheckQuorum that fall back to ReadIndex, which is
  // where these two bugs bite (drawLeaseFailover).
  'read-index-before-noop-commit': [7, 8],
  'no-noop-on-election': [1, 2],
  // Found through the swarm's stickiness layer (sim/explore/profile.ts, drawStickiness): PreVote, a loss-free
  // network, partial partitions and an idle log, where leader stability is judged.
  'prevote-without-stickiness': [4, 5],
  // Found through the swarm's lease-failover layer (sim/explore/profile.ts, drawLeaseFailover): a single
  // link down both ways, no CheckQuorum, a hot key and clients that start anywhere.
  'lease-without-check-quorum': [129, 130],
  'overwrite-uncommitted-noop': [1, 2],
  'skip-prev-log-term-check': [2, 3],
  // Found through the swarm's membership layer (sim/explore/profile.ts, drawMembership): spares and
  // membership operations on a quarter of the seeds no hand-tuned layer has taken.
  'change-before-term-commit': [13, 14],
  'joint-skip': [13, 14],
  'config-on-commit': [24, 25],
  // A majority of the union differs from a majority of each half only in some joint changes.
  'joint-union-majority': [75, 76],
  'learner-counted': [13, 14],
  // Found through the swarm's compaction layer (sim/explore/profile.ts, drawCompaction) and the
  // independent compaction knob (sim/explore/knobs.ts).
  'snapshot-discards-tail': [5, 6],
  'install-older-snapshot': [6, 7],
  'snapshot-forgets-term': [3, 4],
  'snapshot-beyond-commit': [3, 4],
};

/**
 * The snapshot bugs (issue #11) in three disjoint ranges each: found again and again by ordinary
 * swarm seeds, not by one lucky seed. (Wider evidence, in the closing notes: each is found, with
 * its property, by `--seeds 1..2000`, `2001..4000` and `4001..6000`.)
 */
const THREE_RANGES: Readonly<Record<string, readonly (readonly [lo: number, hi: number])[]>> = {
  'snapshot-discards-tail': [
    [5, 5],
    [8, 8],
    [21, 21],
  ],
  'install-older-snapshot': [
    [6, 6],
    [8, 8],
    [22, 22],
  ],
  'snapshot-forgets-term': [
    [3, 3],
    [5, 5],
    [6, 6],
  ],
  'snapshot-beyond-commit': [
    [3, 3],
    [5, 5],
    [6, 6],
  ],
};

/** Bugs no swarm seed of a small range finds, with the reason. */
const NOT_FOUND_BY_SWEEP: Readonly<Record<string, string>> = {
  // It needs a leader that restarts and wins again while late duplicates of its old term's
  // AppendEntries are in flight, ReadIndex or lease reads, and a partition after that: the swarm
  // found it on the clean node once in 20,000 seeds (23281), and swarm 1..4000 with the bug on
  // finds nothing. test/reads.test.ts catches it with a scripted schedule (scenarios/stale-round-ack.json).
  'stale-round-ack': 'a restarted leader, late duplicates and reads in one seed: about 1 in 20,000',
};

async function sweep(lo: number, hi: number, bugs: readonly string[]): Promise<SeedOutcome[]> {
  const settings: SweepSettings = { mode: 'swarm', overrides: {}, bugs };
  const result = await runSweep({ lo, hi, workers: 0, settings, stopOnFailure: false });
  return result.outcomes;
}

function propertiesOf(outcomes: readonly SeedOutcome[]): (FailureKind | null)[] {
  return outcomes.map((o) => o.property);
}

describe('bug sweeps: each catalogue bug is caught by a small swarm sweep', () => {
  it('covers every bug of the catalogue that the sweep checks', () => {
    const known = new Set(BUGS.map((b) => b.name));
    const listed = [...Object.keys(RANGES), ...Object.keys(NOT_FOUND_BY_SWEEP)];
    for (const name of listed) expect(known, name).toContain(name);
    // Every bug must have a range or a stated reason, the read-path ones included (the swarm's
    // read layer draws ReadIndex and lease reads).
    const uncovered = BUGS.filter((b) => !listed.includes(b.name));
    expect(uncovered.map((b) => b.name)).toEqual([]);
    expect(Object.keys(RANGES).length).toBeGreaterThanOrEqual(21);
  });

  for (const bug of BUGS) {
    const range = RANGES[bug.name];
    if (range === undefined) continue;
    const [lo, hi] = range;
    it(`${bug.name}: seeds ${lo}..${hi} report ${bug.property}, and pass with the bug off`, async () => {
      const withBug = await sweep(lo, hi, [bug.name]);
      expect(withBug).toHaveLength(hi - lo + 1);
      expect(
        propertiesOf(withBug),
        `no seed of ${lo}..${hi} reports ${bug.property} with ${bug.name} on: the bug no longer bites there, or another property now fails first`,
      ).toContain(bug.property);

      const withoutBug = await sweep(lo, hi, []);
      const failures = withoutBug.filter((o) => !o.ok).map((o) => `seed ${o.seed}: ${o.message}`);
      expect(failures).toEqual([]);
    });
  }
});

describe('bug sweeps: each snapshot bug in three disjoint ranges', () => {
  for (const [name, ranges] of Object.entries(THREE_RANGES)) {
    const bug = BUGS.find((b) => b.name === name)!;
    it(`${name}: ${ranges.map(([lo, hi]) => `${lo}..${hi}`).join(', ')} each report ${bug.property}`, async () => {
      for (let k = 0; k < ranges.length; k++) {
        const [lo, hi] = ranges[k]!;
        if (k > 0) expect(lo, 'ranges must be disjoint and ascending').toBeGreaterThan(ranges[k - 1]![1]);
        expect(propertiesOf(await sweep(lo, hi, [name])), `${lo}..${hi}`).toContain(bug.property);
      }
    });
  }
});
