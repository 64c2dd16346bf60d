import type { NodeStep } from '../../properties/types.ts';
import type { RaftProcess } from '../../src/raft/process.ts';
import type { Command, Entry, Message, NodeId, Ready, Role, Snapshot } from '../../src/raft/types.ts';

/** A hand-driven stand-in for a node, so that checkers can be tested on states built by hand. */
export class FakeProcess implements RaftProcess {
  role: Role = 'follower';
  currentTerm = 0;
  votedFor: NodeId = 0;
  leaderId: NodeId = 0;
  commitIndex = 0;
  lastApplied = 0;
  log: Entry[] = [];
  constructor(readonly id: NodeId) {}
  get lastIndex(): number {
    return this.log.length;
  }
  termAt(index: number): number | undefined {
    if (index === 0) return 0;
    return this.log[index - 1]?.term;
  }
  entryAt(index: number): Entry | undefined {
    return this.log[index - 1];
  }
  tick(): void {}
  step(): void {}
  propose(): never {
    throw new Error('not used');
  }
  ready(): Ready {
    return emptyReady();
  }
  nextWakeMs(): number {
    return Number.POSITIVE_INFINITY;
  }
}

export function emptyReady(): Ready {
  return { hardState: null, logWrite: null, messages: [], firstApplyIndex: 0, toApply: [] };
}

export const noop: Command = { kind: 'noop' };
export function put(clientId: number, seq: number, value: string): Command {
  return { kind: 'kv', clientId, seq, op: { type: 'put', key: 'k', value } };
}

/**
 * Change a fake node as `change` says, recording the before-state and what it "wrote", as the
 * runner does for a real node, and return the NodeStep a checker sees.
 */
export function stepOf(
  p: FakeProcess,
  change: {
    role?: Role;
    currentTerm?: number;
    commitIndex?: number;
    appendFrom?: number;
    entries?: Entry[];
    /** Cut the log to this length without reporting a write (a node that loses entries silently). */
    truncateTo?: number;
    messages?: Message[];
    apply?: number;
    /** A snapshot taken or installed in this step (an installed one moves applied and commit to it). */
    snapshot?: { snapshot: Snapshot; installed: boolean };
  },
  restarted = false,
): NodeStep {
  const before = {
    roleBefore: p.role,
    termBefore: p.currentTerm,
    commitIndexBefore: p.commitIndex,
    lastIndexBefore: p.lastIndex,
    lastAppliedBefore: p.lastApplied,
  };
  const out = change;
  if (change.role !== undefined) p.role = change.role;
  if (change.currentTerm !== undefined) p.currentTerm = change.currentTerm;
  if (change.commitIndex !== undefined) p.commitIndex = change.commitIndex;
  let logWrite = null;
  if (out.appendFrom !== undefined) {
    const entries = out.entries ?? [];
    p.log.length = out.appendFrom - 1;
    p.log.push(...entries);
    logWrite = { fromIndex: out.appendFrom, entries };
  }
  if (out.truncateTo !== undefined) p.log.length = out.truncateTo;
  let toApply: Entry[] = [];
  let firstApplyIndex = 0;
  if (out.apply !== undefined) {
    firstApplyIndex = p.lastApplied + 1;
    toApply = p.log.slice(p.lastApplied, out.apply);
    p.lastApplied = out.apply;
  }
  const snapshot = out.snapshot ?? null;
  if (snapshot?.installed === true) {
    p.lastApplied = snapshot.snapshot.index;
    p.commitIndex = snapshot.snapshot.index;
  }
  return {
    node: p.id,
    process: p,
    restarted,
    ...before,
    ready: { hardState: null, logWrite, messages: out.messages ?? [], firstApplyIndex, toApply, snapshot },
  };
}
