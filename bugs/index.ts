import { correctPolicy, type Policy } from '../src/raft/policy.ts';
import { acceptStaleTermAppend } from './accept-stale-term-append.ts';
import { applyUncommitted } from './apply-uncommitted.ts';
import type { Bug } from './bug.ts';
import { changeBeforeTermCommit } from './change-before-term-commit.ts';
import { commitNotMin } from './commit-not-min.ts';
import { configOnCommit } from './config-on-commit.ts';
import { countDuplicateVotes } from './count-duplicate-votes.ts';
import { figure8 } from './figure8.ts';
import { fixedElectionTimeout } from './fixed-election-timeout.ts';
import { forgetTerm } from './forget-term.ts';
import { forgetVote } from './forget-vote.ts';
import { installOlderSnapshot } from './install-older-snapshot.ts';
import { jointSkip } from './joint-skip.ts';
import { jointUnionMajority } from './joint-union-majority.ts';
import { learnerCounted } from './learner-counted.ts';
import { leaseWithoutCheckQuorum } from './lease-without-check-quorum.ts';
import { matchFromLogLength } from './match-from-log-length.ts';
import { noNoopOnElection } from './no-noop-on-election.ts';
import { overwriteUncommittedNoop } from './overwrite-uncommitted-noop.ts';
import { preVoteWithoutStickiness } from './prevote-without-stickiness.ts';
import { readIndexBeforeNoopCommit } from './read-index-before-noop-commit.ts';
import { revoteSameTerm } from './revote-same-term.ts';
import { skipPrevLogTermCheck } from './skip-prev-log-term-check.ts';
import { snapshotBeyondCommit } from './snapshot-beyond-commit.ts';
import { snapshotDiscardsTail } from './snapshot-discards-tail.ts';
import { snapshotForgetsTerm } from './snapshot-forgets-term.ts';
import { staleRoundAck } from './stale-round-ack.ts';
import { truncateOnStaleAppend } from './truncate-on-stale-append.ts';
import { voteNoLogCheck } from './vote-no-log-check.ts';

export type { Bug } from './bug.ts';

/** Every known bug, in catalogue order. */
export const BUGS: readonly Bug[] = Object.freeze([
  figure8,
  voteNoLogCheck,
  forgetVote,
  forgetTerm,
  truncateOnStaleAppend,
  commitNotMin,
  countDuplicateVotes,
  acceptStaleTermAppend,
  matchFromLogLength,
  revoteSameTerm,
  applyUncommitted,
  fixedElectionTimeout,
  readIndexBeforeNoopCommit,
  leaseWithoutCheckQuorum,
  noNoopOnElection,
  preVoteWithoutStickiness,
  staleRoundAck,
  overwriteUncommittedNoop,
  skipPrevLogTermCheck,
  changeBeforeTermCommit,
  jointSkip,
  configOnCommit,
  jointUnionMajority,
  learnerCounted,
  snapshotDiscardsTail,
  installOlderSnapshot,
  snapshotForgetsTerm,
  snapshotBeyondCommit,
]);

export function findBug(name: string): Bug | undefined {
  return BUGS.find((bug) => bug.name === name);
}

/**
 * The policy with the named bugs switched on, applied in the order given. No bugs gives
 * `correctPolicy` itself, so the node keeps its strict assertions. An unknown name is a bug in the
 * caller (user input is checked with `findBug` first) and throws.
 */
export function policyFor(bugNames: readonly string[]): Policy {
  let policy = correctPolicy;
  for (const name of bugNames) {
    const bug = findBug(name);
    if (bug === undefined) {
      throw new Error(`unknown bug '${name}'; known bugs: ${BUGS.map((b) => b.name).join(', ')}`);
    }
    policy = bug.policy(policy);
  }
  return policy;
}
