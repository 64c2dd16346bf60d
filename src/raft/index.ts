export type { Bug } from './bugs/index.ts';
export { BUGS, findBug, policyFor } from './bugs/index.ts';
export { applyKvOp, type KvStep, KvStore } from './kv.ts';
export { EMPTY_READY, RaftNode, type RaftNodeOptions } from './node.ts';
export { correctPolicy, type Policy } from './policy.ts';
export type { RaftProcess } from './process.ts';
export { committedIndex, majority, type VoteResult, voteResult } from './quorum.ts';
export * from './types.ts';
