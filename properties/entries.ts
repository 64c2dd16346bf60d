import { describeMembership, sameMembership } from '../src/raft/membership.ts';
import type { Command, Entry, KvOp, NodeId } from '../src/raft/types.ts';

function sameOp(a: KvOp, b: KvOp): boolean {
  switch (a.type) {
    case 'get':
      return b.type === 'get' && a.key === b.key;
    case 'put':
      return b.type === 'put' && a.key === b.key && a.value === b.value;
    case 'append':
      return b.type === 'append' && a.key === b.key && a.value === b.value;
    case 'cas':
      return b.type === 'cas' && a.key === b.key && a.expected === b.expected && a.value === b.value;
  }
}

export function sameCommand(a: Command, b: Command): boolean {
  if (a === b) return true;
  if (a.kind === 'noop') return b.kind === 'noop';
  if (a.kind === 'config') return b.kind === 'config' && sameMembership(a.membership, b.membership);
  if (b.kind !== 'kv') return false;
  return a.clientId === b.clientId && a.seq === b.seq && sameOp(a.op, b.op);
}

/** Two entries are the same entry when term and command agree (entries are shared by reference on the fast path). */
export function sameEntry(a: Entry, b: Entry): boolean {
  return a === b || (a.term === b.term && sameCommand(a.command, b.command));
}

export function describeCommand(c: Command): string {
  if (c.kind === 'noop') return 'noop';
  if (c.kind === 'config') return `config ${describeMembership(c.membership)}`;
  const op = c.op;
  const value = op.type === 'get' ? '' : op.type === 'cas' ? ` ${op.expected}->${op.value}` : ` ${op.value}`;
  return `c${c.clientId}#${c.seq} ${op.type} ${op.key}${value}`;
}

export function describeEntry(e: Entry): string {
  return `t${e.term} ${describeCommand(e.command)}`;
}

export function nodeName(id: NodeId): string {
  return `S${id}`;
}
