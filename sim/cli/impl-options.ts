// --impl <module>, --impl-cmd <command> and --impl-timeout: the implementation under test when it
// is not the reference node. What it does not declare it supports (docs/implementing.md) is kept
// off in every seed with a notice, and a flag asking for it is refused with one line.

import type { Capabilities, ImplSpec, LoadedImpl } from '../adapters/impl.ts';
import { moduleSpec } from '../adapters/impl.ts';
import { DEFAULT_IMPL_TIMEOUT_MS } from '../adapters/process-node.ts';
import type { ConfigOverrides } from '../explore/profile.ts';
import type { HeldRaftOptions } from '../explore/seed-job.ts';
import { userDirectory } from '../model/output-file.ts';
import { parseDurationMs, UsageError } from './usage.ts';

export interface ImplFlags {
  impl?: string;
  implCmd?: string;
  implTimeout?: string;
  bug: string[];
}

/** Bound on --impl-timeout: a safety limit on a hung process, not a run budget. */
const MAX_IMPL_TIMEOUT_MS = 600_000;

/** The implementation the flags name, or null for the reference node. Refuses --bug with either. */
export function implSpecOf(o: ImplFlags): ImplSpec | null {
  if (o.impl !== undefined && o.implCmd !== undefined)
    throw new UsageError('give either --impl or --impl-cmd, not both');
  const flag = o.impl !== undefined ? '--impl' : o.implCmd !== undefined ? '--impl-cmd' : null;
  if (flag === null) {
    if (o.implTimeout !== undefined)
      throw new UsageError('--impl-timeout bounds --impl-cmd: use it with --impl-cmd');
    return null;
  }
  if (o.bug.length > 0)
    throw new UsageError(`--bug switches on bugs of the reference node: it does not apply with ${flag}`);
  if (o.impl !== undefined) {
    if (o.implTimeout !== undefined)
      throw new UsageError('--impl-timeout bounds --impl-cmd: use it with --impl-cmd');
    if (o.impl.trim() === '') throw new UsageError('--impl: empty module path');
    return moduleSpec(o.impl);
  }
  const command = o.implCmd!;
  if (command.trim() === '') throw new UsageError('--impl-cmd: empty command');
  const timeoutMs =
    o.implTimeout === undefined
      ? DEFAULT_IMPL_TIMEOUT_MS
      : parseDurationMs('--impl-timeout', o.implTimeout, MAX_IMPL_TIMEOUT_MS);
  return { kind: 'command', command, timeoutMs, cwd: userDirectory() };
}

/** An argument as a POSIX shell reads it back: bare when it is safe, else single-quoted. */
export function shellWord(arg: string): string {
  return /^[\w./:=,@+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}

/** The flags that name `spec` again, for replay commands. */
export function implArgs(spec: ImplSpec | null | undefined): string[] {
  if (spec === null || spec === undefined) return [];
  if (spec.kind === 'module') return ['--impl', spec.shown];
  const args = ['--impl-cmd', spec.command];
  if (spec.timeoutMs !== DEFAULT_IMPL_TIMEOUT_MS) args.push('--impl-timeout', `${spec.timeoutMs}ms`);
  return args;
}

/** One option of the config an implementation may not support, and the capability it needs. */
const LIMITS: readonly {
  readonly capability: keyof Capabilities;
  readonly flag: string;
  readonly asked: (o: ConfigOverrides) => boolean;
  readonly held: HeldRaftOptions;
}[] = [
  { capability: 'preVote', flag: '--prevote', asked: (o) => o.preVote === true, held: { preVote: false } },
  {
    capability: 'checkQuorum',
    flag: '--check-quorum',
    asked: (o) => o.checkQuorum === true,
    held: { checkQuorum: false },
  },
  {
    capability: 'reads',
    flag: '--read-mode',
    asked: (o) => o.readMode !== undefined && o.readMode !== 'log',
    held: { readMode: 'log' },
  },
  {
    capability: 'membership',
    flag: '--membership',
    asked: (o) => (o.membershipPerMin ?? 0) > 0 || (o.spares ?? 0) > 0,
    held: { noMembership: true },
  },
  {
    capability: 'snapshots',
    flag: '--compaction',
    asked: (o) => o.compaction !== undefined && o.compaction !== null,
    held: { noCompaction: true },
  },
];

/**
 * The Raft options held off in every seed because the implementation does not declare them, and
 * one notice naming them (null when it supports them all). Throws UsageError when a flag asks for one.
 */
export function applyImplLimits(
  impl: LoadedImpl,
  overrides: ConfigOverrides,
): { held: HeldRaftOptions | null; notice: string | null } {
  let held: HeldRaftOptions = {};
  const missing: string[] = [];
  for (const limit of LIMITS) {
    if (impl.capabilities[limit.capability]) continue;
    if (limit.asked(overrides))
      throw new UsageError(
        `${limit.flag}: ${impl.name} does not declare the capability '${limit.capability}'`,
      );
    held = { ...held, ...limit.held };
    missing.push(limit.capability);
  }
  if (missing.length === 0) return { held: null, notice: null };
  return {
    held,
    notice: `${impl.name} does not declare ${missing.join(', ')}: held off in every seed (reads go through the log)`,
  };
}
