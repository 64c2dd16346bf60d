// The student Raft with its seeded bug 'vote-without-log-check' on (see StudentBug in ./raft.ts).
import { studentRaft } from './index.ts';

export default studentRaft({ bug: 'vote-without-log-check' });
