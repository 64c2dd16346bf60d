import { describe, expect, it } from 'vitest';
import { formatEta, formatSweepLine, lineProgress, sweepProgress } from '../sim/cli/progress.ts';

describe('formatEta', () => {
  it.each([
    [0, '0s'],
    [59.4, '59s'],
    [59.6, '1m00s'],
    [90, '1m30s'],
    [3599.4, '59m59s'],
    [3599.6, '1h00m'],
    [3 * 3600 + 59 * 60 + 59, '4h00m'],
    [33 * 3600 + 59 * 60 + 40, '1d10h'],
    [86_400 * 3 + 3600 * 5, '3d05h'],
  ])('%d s is %s (no unit ever shows 60)', (sec, text) => {
    expect(formatEta(sec)).toBe(text);
  });
  it('is ? when the rate is not known yet', () => {
    expect(formatEta(Number.POSITIVE_INFINITY)).toBe('?');
    expect(formatEta(Number.NaN)).toBe('?');
    expect(formatEta(-1)).toBe('?');
  });
  it('never prints a 60 in any unit over a wide range', () => {
    for (let s = 0; s < 200_000; s += 7.3) expect(formatEta(s)).not.toMatch(/(^|\D)60[smhd]/);
  });
});

describe('the plain progress line', () => {
  it('shows seeds done of total, failures, rate and a sane ETA', () => {
    // 90 seeds of 1000 in 9 s: 10 seeds/s, 91 s left.
    expect(formatSweepLine({ done: 90, total: 1000, failures: 1, elapsedMs: 9000 })).toBe(
      'seeds 90/1,000 (9%) · 1 failure · 10.0 seeds/s · ETA 1m31s',
    );
    expect(formatSweepLine({ done: 0, total: 10, failures: 0, elapsedMs: 0 })).toBe(
      'seeds 0/10 (0%) · 0 failures · 0.0 seeds/s · ETA ?',
    );
  });
  it('is printed at the interval when stderr is not a terminal, and never with --quiet', () => {
    let now = 0;
    const out: string[] = [];
    const sink = {
      write: (t: string) => out.push(t),
      isTTY: false,
      clockMs: () => now,
      plainIntervalMs: 1000,
    };
    const p = sweepProgress(100, { ...sink, quiet: false });
    now = 500;
    p.update(5, 0); // too soon
    now = 1000;
    p.update(10, 0);
    now = 1500;
    p.update(15, 1); // too soon again
    now = 2100;
    p.update(21, 1);
    p.stop();
    expect(out).toEqual([
      'seeds 10/100 (10%) · 0 failures · 10.0 seeds/s · ETA 9s\n',
      'seeds 21/100 (21%) · 1 failure · 10.0 seeds/s · ETA 8s\n',
    ]);
    const quiet: string[] = [];
    const q = sweepProgress(100, { ...sink, write: (t) => quiet.push(t), quiet: true });
    now = 10_000;
    q.update(50, 0);
    const l = lineProgress({ ...sink, write: (t) => quiet.push(t), quiet: true });
    now = 20_000;
    l.update('shrinking');
    l.done();
    expect(quiet).toEqual([]);
  });
  it('a line on a terminal is rewritten in place and cleared at the end', () => {
    let now = 0;
    const out: string[] = [];
    const l = lineProgress({ write: (t) => out.push(t), isTTY: true, quiet: false, clockMs: () => now });
    now = 150;
    l.update('run 1');
    l.done();
    expect(out).toEqual(['\r\x1b[Krun 1', '\r\x1b[K']);
  });
});

describe('progress of one run', () => {
  it('leaves the run byte-identical (the callback sees numbers only)', async () => {
    const { defaultConfig } = await import('../sim/model/config.ts');
    const { runSeed } = await import('../sim/explore/generate.ts');
    const config = { ...defaultConfig(), timeMs: 20_000, quietMs: 5000 };
    const calls: number[] = [];
    const lines: string[] = [];
    const plain = runSeed(9, config, { onTrace: () => {} });
    const watched = runSeed(9, config, {
      onTrace: (l) => lines.push(l),
      onProgress: (_nowMs, steps) => calls.push(steps),
    });
    expect(watched.traceHash).toBe(plain.traceHash);
    expect(calls.length).toBe(Math.floor(watched.events / 65_536));
    for (const [k, steps] of calls.entries()) expect(steps).toBe((k + 1) * 65_536);
  });
});
