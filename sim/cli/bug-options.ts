// A bug that needs an option (--prevote, a --read-mode, CheckQuorum off, --membership, --compaction) never does nothing
// silently: with --profile fixed the option is switched on with a notice (and is then part of the
// replay command); an option given that rules the bug out is refused with exit 2, naming the flag.
// The swarm draws these options per seed itself, so there only a contradiction is refused.

import type { BugRequirements } from '../../bugs/bug.ts';
import { findBug } from '../../bugs/index.ts';
import type { ConfigOverrides, ProfileMode } from '../explore/profile.ts';
import { UsageError } from './usage.ts';

/** The flags a bug needs, as a user would type them: `--prevote`, `--read-mode read-index|lease`. */
export function requiredFlags(r: BugRequirements | undefined): string[] {
  if (r === undefined) return [];
  const flags: string[] = [];
  if (r.preVote === true) flags.push('--prevote');
  if (r.readModes !== undefined) flags.push(`--read-mode ${r.readModes.join('|')}`);
  if (r.checkQuorumOff === true) flags.push('no --check-quorum');
  if (r.membership === true) flags.push('--membership <rate>');
  if (r.compaction === true) flags.push('--compaction <size:n|applied:n>');
  return flags;
}

/**
 * The overrides with every bug's needs met, and the notices to print. Throws UsageError when a
 * flag given rules a bug out.
 */
export function applyBugRequirements(
  bugs: readonly string[],
  overrides: ConfigOverrides,
  mode: ProfileMode,
): { overrides: ConfigOverrides; notices: string[] } {
  const out: ConfigOverrides = { ...overrides };
  const notices: string[] = [];
  for (const name of bugs) {
    const r = findBug(name)?.requires;
    if (r === undefined) continue;
    if (r.checkQuorumOff === true && out.checkQuorum === true)
      throw new UsageError(`--bug ${name} never fires with --check-quorum (CheckQuorum is what prevents it)`);
    const modes = r.readModes;
    if (modes !== undefined && out.readMode !== undefined && !modes.includes(out.readMode)) {
      throw new UsageError(
        `--bug ${name} needs --read-mode ${modes.join(' or ')}; it never fires with --read-mode ${out.readMode}`,
      );
    }
    if (r.membership === true && out.membershipPerMin === 0)
      throw new UsageError(`--bug ${name} never fires with --membership off (it is in membership change)`);
    if (r.compaction === true && out.compaction === null)
      throw new UsageError(`--bug ${name} never fires with --compaction off (it is in log compaction)`);
    // The swarm draws PreVote, read modes, membership and compaction per seed (its layers).
    if (mode !== 'fixed') continue;
    if (r.compaction === true && out.compaction === undefined) {
      out.compaction = { trigger: 'size', entries: 4 };
      notices.push(`--bug ${name} needs log compaction: using --compaction size:4`);
    }
    if (r.membership === true && out.membershipPerMin === undefined) {
      out.membershipPerMin = 6;
      notices.push(`--bug ${name} needs membership changes: using --membership 6`);
    }
    if (r.preVote === true && out.preVote !== true) {
      out.preVote = true;
      notices.push(`--bug ${name} needs --prevote: switched it on`);
    }
    if (modes !== undefined && out.readMode === undefined) {
      out.readMode = modes[0]!;
      notices.push(`--bug ${name} needs --read-mode ${modes.join(' or ')}: using --read-mode ${modes[0]}`);
    }
  }
  return { overrides: out, notices };
}
