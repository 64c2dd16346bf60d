import { describe, expect, it } from 'vitest';
import { BUGS, findBug } from '../bugs/index.ts';
import { applyBugRequirements, requiredFlags } from '../sim/cli/bug-options.ts';
import { runSeed } from '../sim/explore/generate.ts';
import { configFor } from '../sim/explore/profile.ts';

describe('bugs that need an option', () => {
  it('switch it on with a notice under --profile fixed (and the replay flags then carry it)', () => {
    const a = applyBugRequirements(['prevote-without-stickiness'], {}, 'fixed');
    expect(a.overrides).toEqual({ preVote: true });
    expect(a.notices).toEqual(['--bug prevote-without-stickiness needs --prevote: switched it on']);
    const b = applyBugRequirements(['read-index-before-noop-commit'], {}, 'fixed');
    expect(b.overrides).toEqual({ readMode: 'read-index' });
    expect(applyBugRequirements(['read-index-before-noop-commit'], { readMode: 'lease' }, 'fixed')).toEqual({
      overrides: { readMode: 'lease' },
      notices: [],
    });
  });
  it('refuse a flag that rules the bug out, naming it', () => {
    expect(() =>
      applyBugRequirements(['lease-without-check-quorum'], { checkQuorum: true }, 'fixed'),
    ).toThrow(/--bug lease-without-check-quorum never fires with --check-quorum/);
    expect(() => applyBugRequirements(['no-noop-on-election'], { readMode: 'log' }, 'swarm')).toThrow(
      /needs --read-mode read-index or lease; it never fires with --read-mode log/,
    );
  });
  it('leave the swarm to draw the options per seed', () => {
    expect(applyBugRequirements(['prevote-without-stickiness'], {}, 'swarm')).toEqual({
      overrides: {},
      notices: [],
    });
  });
  it('declare every option a bug needs: without it the bug never fires on a seed where it does with it', () => {
    const bug = findBug('read-index-before-noop-commit')!;
    expect(requiredFlags(bug.requires)).toEqual(['--read-mode read-index|lease']);
    const needy = BUGS.filter((b) => b.requires !== undefined).map((b) => b.name);
    expect(needy.sort()).toEqual([
      'change-before-term-commit',
      'config-on-commit',
      'install-older-snapshot',
      'joint-skip',
      'joint-union-majority',
      'learner-counted',
      'lease-without-check-quorum',
      'no-noop-on-election',
      'prevote-without-stickiness',
      'read-index-before-noop-commit',
      'snapshot-beyond-commit',
      'snapshot-discards-tail',
      'snapshot-forgets-term',
    ]);
    // prevote-without-stickiness on a fixed seed: without PreVote its decision is never reached.
    const fires = (preVote: boolean) =>
      runSeed(3, configFor(3, 'fixed', { preVote }), {
        bugs: ['prevote-without-stickiness'],
        linearizability: false,
      }).bugFires!['prevote-without-stickiness'];
    expect(fires(false)).toBe(0);
    expect(fires(true)).toBeGreaterThan(0);
    // A membership bug: its decisions are never reached without membership changes.
    expect(requiredFlags(findBug('joint-skip')!.requires)).toEqual(['--membership <rate>']);
    const jointFires = (membershipPerMin: number) =>
      runSeed(3, configFor(3, 'fixed', { membershipPerMin, timeMs: 20_000 }), {
        bugs: ['change-before-term-commit'],
        linearizability: false,
      }).bugFires!['change-before-term-commit'];
    expect(jointFires(0)).toBe(0);
    expect(jointFires(30)).toBeGreaterThan(0);
    // A compaction bug: nothing to decide while logs are never compacted.
    expect(requiredFlags(findBug('snapshot-forgets-term')!.requires)).toEqual([
      '--compaction <size:n|applied:n>',
    ]);
    const snapshotFires = (compaction: { trigger: 'size'; entries: number } | null) =>
      runSeed(3, configFor(3, 'fixed', { compaction, timeMs: 5_000 }), {
        bugs: ['snapshot-forgets-term'],
        linearizability: false,
      }).bugFires!['snapshot-forgets-term'];
    expect(snapshotFires(null)).toBe(0);
    expect(snapshotFires({ trigger: 'size', entries: 4 })).toBeGreaterThan(0);
  });
});
