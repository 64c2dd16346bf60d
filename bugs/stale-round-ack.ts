import type { Bug } from './bug.ts';

/**
 * Found by a clean sweep of the reference node (seed 23281 of the swarm): heartbeat rounds are
 * volatile, so a leader that crashes and wins a later term counts rounds from 0 again, while late
 * duplicates of its old term's AppendEntries are still in flight. A follower rejects those with
 * its current term, which is the leader's new term, echoing the old round, far ahead of any the
 * new incarnation has sent.
 */
export const staleRoundAck: Bug = {
  name: 'stale-round-ack',
  property: 'linearizability',
  description:
    "A leader takes a follower's rejection of an older term's AppendEntries as an acknowledgement " +
    'of the heartbeat round it echoes. After a restart the echoed round can be far ahead of any ' +
    'round this leader sent, so it believes its leadership confirmed for rounds to come and serves ' +
    'ReadIndex and lease reads from stale state after it has been deposed.',
  policy: (base) => ({ ...base, trustReplyToOlderTerm: true }),
};
