// Messages a user reads, worded as a person would write them (issue #20's list).

import { describe, expect, it } from 'vitest';
import { describeEvent } from '../sim/engine/trace.ts';
import { generateSchedule } from '../sim/explore/generate.ts';
import { defaultConfig, validateConfig } from '../sim/model/config.ts';
import { validateSchedule } from '../sim/model/schedule.ts';
import { simInProcess } from './support/cli-in-process.ts';

describe('wording', () => {
  it('"a positive integer", never "a positive an integer"', () => {
    const base = defaultConfig();
    const message = validateConfig({ ...base, raft: { ...base.raft, heartbeatMs: 0 } });
    expect(message).toBe('config.raft.heartbeatMs must be a positive integer, got 0');
  });

  it('ops with no clients in the config say so, not "from 1 to 0"', () => {
    const config = { ...defaultConfig(), timeMs: 2000, quietMs: 2000 };
    const schedule = generateSchedule(1, config);
    expect(schedule.ops.length).toBeGreaterThan(0);
    const message = validateSchedule({ ...schedule, config: { ...config, clients: 0 } });
    expect(message).toBe('ops[0]: there are no clients to run it (config.clients is 0)');
  });

  it('a NotLeader answer without a known leader says so, not "hint S0"', () => {
    const reply = { kind: 'reply', client: 1, seq: 2, attempt: 1, node: 3, result: null } as const;
    expect(describeEvent({ ...reply, leaderHint: 0 })).toBe(
      'reply to c1#2 from S3: NotLeader(no leader known)',
    );
    expect(describeEvent({ ...reply, leaderHint: 4 })).toBe('reply to c1#2 from S3: NotLeader(hint S4)');
  });

  it('--help leaves a blank line before the examples', async () => {
    const r = await simInProcess(['--help'], process.cwd());
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\.\n\nExamples:\n/);
  });

  it('a sweep of one seed says "seed N", not "1 seeds"', async () => {
    const r = await simInProcess(['--seeds', '3..3', '--workers', '1', '--time', '1s'], process.cwd());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('seed 3 held every property');
    // Not '1 seeds' (a rate such as '1.1 seeds/s' is fine).
    expect(r.stdout).not.toMatch(/(?<![\d.])1 seeds\b/);
  });
});
