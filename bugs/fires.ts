// Did a switched-on bug ever change what the node did? A bug is one overridden decision of the
// policy (src/raft/policy.ts); this wraps the decisions each bug overrides and counts the times
// the buggy answer differed from the correct policy's answer to the same question. A bug that
// never fired in a run cannot be what the run shows, and the summary says so.
//
// Deterministic and cheap: the correct decision is computed from the same arguments, beside the
// buggy one, and only for the few decisions a bug overrides; nothing the node sees changes.
// Two kinds of decision cannot be compared call by call, and are counted as consulted instead:
// - a decision that draws randomness (the election timeout): calling the correct one too would
//   draw numbers the run does not draw, so every call of the buggy one counts;
// - a flag (persistVote, preVoteHonoursLeader, ...): the node reads it at its decision point, and
//   each read is counted (an upper bound: the rest of the node's condition may make it moot).

import { correctPolicy, type Policy } from '../src/raft/policy.ts';
import { findBug } from './index.ts';

/** Decisions that take the node's random stream: never called twice. */
const RANDOM_DECISIONS: ReadonlySet<keyof Policy> = new Set(['electionTimeoutMs']);

export interface BugFires {
  readonly policy: Policy;
  /** Times each bug's decision differed from the correct one (or was consulted, see above). */
  counts(): Record<string, number>;
  /** Stops counting for a while: building a node reads every flag once to see whether it is safe. */
  pause(paused: boolean): void;
}

/** The policy with `bugs` switched on (as policyFor builds it), counting each bug's firings. */
export function countingPolicy(bugs: readonly string[], base: Policy): BugFires {
  const fires: Record<string, number> = {};
  const ownersOf = new Map<keyof Policy, string[]>();
  for (const name of bugs) {
    fires[name] = 0;
    const bug = findBug(name);
    if (bug === undefined) continue;
    const alone = bug.policy(correctPolicy);
    for (const key of Object.keys(correctPolicy) as (keyof Policy)[]) {
      if (alone[key] === correctPolicy[key]) continue;
      ownersOf.set(key, [...(ownersOf.get(key) ?? []), name]);
    }
  }
  let paused = false;
  const fire = (owners: readonly string[]): void => {
    if (paused) return;
    for (const name of owners) fires[name]!++;
  };
  const policy = { ...base } as Record<keyof Policy, unknown>;
  for (const [key, owners] of ownersOf) {
    const buggy = base[key];
    const correct = correctPolicy[key];
    if (typeof buggy === 'function') {
      const call = buggy as (...args: unknown[]) => unknown;
      if (RANDOM_DECISIONS.has(key)) {
        policy[key] = (...args: unknown[]) => {
          fire(owners);
          return call(...args);
        };
      } else {
        const right = correct as (...args: unknown[]) => unknown;
        policy[key] = (...args: unknown[]) => {
          const answer = call(...args);
          if (!sameAnswer(answer, right(...args))) fire(owners);
          return answer;
        };
      }
    } else {
      Object.defineProperty(policy, key, {
        enumerable: true,
        get: () => {
          if (buggy !== correct) fire(owners);
          return buggy;
        },
      });
    }
  }
  return {
    policy: policy as unknown as Policy,
    counts: () => ({ ...fires }),
    pause: (p) => {
      paused = p;
    },
  };
}

/** Equal answers: the same value, or plain data that prints the same (a Voters object). */
function sameAnswer(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** One line per bug that never fired: "figure8 was on but never fired in this run". */
export function neverFired(fires: Readonly<Record<string, number>> | null): string[] {
  if (fires === null) return [];
  return Object.entries(fires)
    .filter(([, n]) => n === 0)
    .map(([name]) => `${name} was on but never fired in this run`);
}
