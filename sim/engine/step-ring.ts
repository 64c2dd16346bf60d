import type { RaftProcess } from '../../src/raft/process.ts';
import type { NodeId, Role } from '../../src/raft/types.ts';
import type { SimEvent } from './events.ts';
import { describeStep } from './trace.ts';

/** Role codes of the ring, indexed by code. */
const ROLES: readonly Role[] = ['follower', 'precandidate', 'candidate', 'leader'];
const ROLE_CODE: Readonly<Record<Role, number>> = { follower: 0, precandidate: 1, candidate: 2, leader: 3 };

/**
 * The last `size` steps of a run, kept raw for a violation report: the event (a reference, not a
 * copy), its time and outcome, and the node it touched with that node's role, term and commit
 * index after the step. Typed arrays, written every step and formatted only when a report is
 * made, so that keeping the ring costs a few stores per step and no allocation.
 */
export class StepRing {
  readonly size: number;
  private readonly events: (SimEvent | undefined)[];
  private readonly step: Float64Array;
  private readonly time: Float64Array;
  private readonly outcome: Uint8Array;
  private readonly node: Int32Array;
  private readonly role: Uint8Array;
  private readonly term: Float64Array;
  private readonly commit: Float64Array;

  constructor(size: number) {
    this.size = Math.max(0, size);
    this.events = new Array<SimEvent | undefined>(this.size).fill(undefined);
    this.step = new Float64Array(this.size);
    this.time = new Float64Array(this.size);
    this.outcome = new Uint8Array(this.size);
    this.node = new Int32Array(this.size);
    this.role = new Uint8Array(this.size);
    this.term = new Float64Array(this.size);
    this.commit = new Float64Array(this.size);
  }

  /** Records step `step`; `p` is the node it touched (null: none), read after the step. */
  write(
    step: number,
    timeMs: number,
    ev: SimEvent,
    outcome: number,
    id: NodeId,
    p: RaftProcess | null,
  ): void {
    const slot = step % this.size;
    this.events[slot] = ev;
    this.step[slot] = step;
    this.time[slot] = timeMs;
    this.outcome[slot] = outcome;
    this.node[slot] = p === null ? 0 : id;
    if (p !== null) {
      this.role[slot] = ROLE_CODE[p.role];
      this.term[slot] = p.currentTerm;
      this.commit[slot] = p.commitIndex;
    }
  }

  /** The steps up to `last` still in the ring, oldest first, one line each. */
  lines(last: number): string[] {
    const lines: string[] = [];
    const size = this.size;
    if (size === 0) return lines;
    for (let step = Math.max(1, last - size + 1); step <= last; step++) {
      const slot = step % size;
      const ev = this.events[slot];
      if (ev === undefined || this.step[slot] !== step) continue;
      const node = this.node[slot]!;
      const after =
        node === 0
          ? ''
          : ` [S${node} ${ROLES[this.role[slot]!]} t${this.term[slot]} commit ${this.commit[slot]}]`;
      lines.push(describeStep(step, this.time[slot]!, ev, this.outcome[slot]!, after));
    }
    return lines;
  }
}
