import { describe, expect, it } from 'vitest';
import { runForOutcome } from '../sim/explore/replay.ts';
import type { Schedule } from '../sim/model/schedule.ts';
import {
  mermaidSafe,
  parseTraceLines,
  renderMermaid,
  renderText,
  type ViewInput,
} from '../sim/view/views.ts';
import { cutOffCandidate } from './support/schedules.ts';

/** The cut-off candidate, with one client write so that the views show a client too. */
function schedule(): Schedule {
  return cutOffCandidate([{ client: 1, atMs: 300, op: { type: 'put', key: 'k', value: 'the end' } }]);
}

function input(): ViewInput {
  const lines: string[] = [];
  const bugs = ['vote-no-log-check'];
  const run = runForOutcome(schedule(), { bugs, onTrace: (l) => lines.push(l) });
  return {
    schedule: schedule(),
    bugs,
    lines,
    outcome: run.outcome,
    violation: run.result?.violation ?? null,
  };
}

describe('text view', () => {
  const view = input();
  const text = renderText(view);
  const lines = text.split('\n');

  it('lists every step with its time and node', () => {
    const steps = lines.filter((l) => /^\s*#\d+ /.test(l));
    expect(steps).toHaveLength(view.lines.length);
    expect(steps[0]).toMatch(/^\s*#1\s+1ms\s+-\s+partition \{S1\} \{S3,S2\}$/);
  });

  it('shows role and term changes and the step that broke the property', () => {
    expect(text).toMatch(/#\d+\s+\d+ms\s+S3\s+S2→S3 vote granted t1\s+\[candidate → leader/);
    expect(text).toMatch(
      /S1\s+S2→S1 vote granted t4\s+\[candidate → leader; VIOLATION leader-completeness\]/,
    );
    expect(text).toContain('outcome: leader-completeness violated at step');
  });

  it('ends with the logs side by side at the violation', () => {
    const at = lines.indexOf('  logs at the violation:');
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toMatch(/^\s+index\s+1\s+2/);
    expect(lines.slice(at + 2, at + 4).some((l) => l.trimStart().startsWith('S1'))).toBe(true);
  });
});

describe('mermaid view', () => {
  const view = input();
  const text = renderMermaid(view);

  it('is a sequence diagram with a participant per node and client', () => {
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('sequenceDiagram');
    expect(lines.slice(1, 5)).toEqual([
      '  participant S1',
      '  participant S2',
      '  participant S3',
      '  participant C1 as client 1',
    ]);
  });

  it('draws requests and replies as different arrows, and notes role changes', () => {
    expect(text).toMatch(/^ {2}S3->>S2: RequestVote t1 /m);
    expect(text).toMatch(/^ {2}S2-->>S3: vote granted t1 /m);
    expect(text).toMatch(/^ {2}Note over S3: leader t=\d+$/m);
    expect(text).toMatch(/^ {2}Note over S3: commit 1 t=\d+$/m);
    expect(text).toMatch(/^ {2}C1->>S\d: put c1\/1 /m);
    expect(text).toContain('Note over S1: VIOLATION leader-completeness');
  });

  it('crosses out messages lost in flight', () => {
    // S2 crashes with messages to it in flight: they are lost when they arrive.
    const lines: string[] = [];
    const s = schedule();
    const cut: Schedule = {
      ...s,
      faults: [...s.faults, { atMs: 790, type: 'crash', node: 2 }],
      config: { ...s.config, timeMs: 900 },
    };
    const run = runForOutcome(cut, { bugs: [], onTrace: (l) => lines.push(l) });
    const m = renderMermaid({ schedule: cut, bugs: [], lines, outcome: run.outcome, violation: null });
    const lost = parseTraceLines(lines).filter((r) => r.ev === 'deliver' && r.outcome === 'lost');
    expect(lost.length).toBeGreaterThan(0);
    expect(m).toMatch(/^ {2}S\d--?xS2: .*\(lost: node down\)$/m);
  });

  it('never holds the bare word end', () => {
    // The violation message quotes the client's value 'the end'.
    expect(text).toContain('the finish');
    expect(text).not.toMatch(/\bend\b/i);
    expect(mermaidSafe('the end; #3')).toBe('the finish, /3');
  });
});
