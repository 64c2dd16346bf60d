// The student Raft with its seeded bug 'truncate-on-stale-append' on (see StudentBug in ./raft.ts).
import { studentRaft } from './index.ts';

export default studentRaft({ bug: 'truncate-on-stale-append' });
