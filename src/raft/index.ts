export { applyKvOp, type KvStep, KvStore } from './kv.ts';
export { EMPTY_READY, RaftNode, type RaftNodeOptions } from './node.ts';
export { correctPolicy, type Policy } from './policy.ts';
export type { RaftProcess } from './process.ts';
export {
  committedIndex,
  majority,
  majorityCommitted,
  majorityVoteResult,
  resultOfCounts,
  VOTE_NO,
  VOTE_NONE,
  VOTE_YES,
  type VoteResult,
  type Voters,
  voteResult,
} from './quorum.ts';
export { MAX_PENDING_READS, ReadOnly } from './read-only.ts';
export { NODE_ID_MAX, ProgressTracker } from './tracker.ts';
export * from './types.ts';
