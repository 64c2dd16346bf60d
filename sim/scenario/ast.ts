// The scenario language's syntax tree: plain data, every statement with the line it came from, so
// that a failure names its line. Parsed by parse.ts, run by driver.ts. The language is described
// in README.md ("Writing scenarios") and docs/design.md.

import type { KvOp } from '../../src/raft/types.ts';
import type { CompactionConfig } from '../model/config.ts';

/** One term of a target: a node set resolved at run time from the simulator's ground truth. */
export type TargetTerm =
  | { readonly kind: 'leader' }
  /** Every node but the leader (all nodes when there is none). */
  | { readonly kind: 'followers' }
  /** `count` followers drawn from the scenario's random stream (`any follower`, `2 followers`). */
  | { readonly kind: 'some-followers'; readonly count: number }
  /** One node drawn from the scenario's random stream, among all (`any node`), up or down ones. */
  | { readonly kind: 'any'; readonly among: 'all' | 'up' | 'down' | 'connected' }
  | { readonly kind: 'all' }
  /** Running nodes (not crashed). */
  | { readonly kind: 'up' }
  | { readonly kind: 'down' }
  /** Nodes the scenario has not isolated (6.5840's "connected"), running or not. */
  | { readonly kind: 'connected' }
  | { readonly kind: 'isolated' }
  | { readonly kind: 'longest-log' }
  | { readonly kind: 'node'; readonly id: number }
  | { readonly kind: 'var'; readonly name: string }
  /** `count` nodes of a set, drawn from the scenario's random stream (`1 of $rest`). */
  | { readonly kind: 'pick'; readonly count: number; readonly from: TargetTerm };

/** Terms joined by + (union) and - (difference), left to right. */
export interface Target {
  readonly first: TargetTerm;
  readonly rest: readonly { readonly op: '+' | '-'; readonly term: TargetTerm }[];
  /** The words as written, for reports. */
  readonly text: string;
}

/** A value a scenario submits: literal text, a fresh random number, with `{i}` loop counters in it. */
export type ValueExpr = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'random' };

export type Compare = '<' | '<=' | '==' | '!=' | '>=' | '>';

/** Where a value counts as committed: on at least `count` nodes, on all nodes, or on every node of a target. */
export type Quorum =
  | { readonly kind: 'count'; readonly count: number }
  | { readonly kind: 'all' }
  | { readonly kind: 'target'; readonly target: Target };

export type Condition =
  /** Exactly one leader among the nodes (of the highest term any of them leads in): 6.5840 checkOneLeader. */
  | { readonly kind: 'one-leader'; readonly among: Target | null }
  /** No node of the set believes it leads: 6.5840 checkNoLeader. */
  | { readonly kind: 'no-leader'; readonly among: Target | null }
  | { readonly kind: 'leader-exists' }
  /** Every running node of the set is in the same term: 6.5840 checkTerms. */
  | { readonly kind: 'terms-agree'; readonly among: Target | null }
  /** Some node of the target leads (in its own belief, while running). */
  | { readonly kind: 'leads'; readonly target: Target }
  /** The value is applied (at one index, agreed) on enough nodes: 6.5840 nCommitted. */
  | { readonly kind: 'committed'; readonly value: ValueExpr; readonly where: Quorum }
  /** Every node of the target has the value in its durable log (committed or not). */
  | { readonly kind: 'holds'; readonly target: Target; readonly value: ValueExpr }
  /** Every running node of the set has the same last index and last term. */
  | { readonly kind: 'logs-agree'; readonly among: Target | null }
  /** The client has no operation under way. */
  | { readonly kind: 'client-idle'; readonly client: number }
  /** No node applied the value. */
  | { readonly kind: 'not-committed'; readonly value: ValueExpr }
  /** Messages sent since a mark (dropped ones too): of one type, or of every kind (null). */
  | {
      readonly kind: 'messages';
      readonly type: string | null;
      readonly mark: string;
      readonly cmp: Compare;
      readonly count: number;
    }
  | { readonly kind: 'size'; readonly target: Target; readonly cmp: Compare; readonly count: number }
  | { readonly kind: 'chance'; readonly p: number }
  /** Every node of the target installed a snapshot from a leader (since a mark, or ever). */
  | { readonly kind: 'installed'; readonly target: Target; readonly mark: string | null }
  /** For every node of the target, its durable log's entries past its snapshot (`log tail of T`) or its snapshot's index. */
  | {
      readonly kind: 'log-tail' | 'snapshot-index';
      readonly target: Target;
      readonly cmp: Compare;
      readonly count: number;
    }
  /** The index a value last landed at, against a number or another value's index plus an offset. */
  | {
      readonly kind: 'index';
      readonly value: ValueExpr;
      readonly cmp: Compare;
      readonly ref: { readonly value: ValueExpr | null; readonly offset: number };
    }
  | { readonly kind: 'not'; readonly cond: Condition }
  | { readonly kind: 'and'; readonly left: Condition; readonly right: Condition };

export type NetworkChange =
  | { readonly kind: 'preset'; readonly preset: 'reliable' | 'unreliable' | 'long-reordering' }
  | { readonly kind: 'set'; readonly field: string; readonly value: number };

/** What a scenario expects of the run's property outcome, for a set of bugs (empty: the default). */
export interface OutcomeExpectation {
  readonly line: number;
  readonly bugs: readonly string[] | null;
  readonly outcome: { readonly status: 'ok' } | { readonly status: 'violation'; readonly property: string };
}

export type Statement = { readonly line: number; readonly text: string } & (
  | { readonly kind: 'crash' | 'restart' | 'campaign' | 'isolate' | 'connect'; readonly target: Target }
  | { readonly kind: 'pause'; readonly target: Target; readonly durationMs: number }
  | { readonly kind: 'partition'; readonly groups: readonly Target[] }
  | { readonly kind: 'heal' }
  | {
      readonly kind: 'link';
      readonly from: Target;
      readonly to: Target;
      readonly up: boolean;
      readonly both: boolean;
    }
  | { readonly kind: 'network'; readonly changes: readonly NetworkChange[] }
  /** The services compact from now on as config.compaction says (null: never). */
  | { readonly kind: 'compaction'; readonly settings: CompactionConfig | null }
  /** Every workload client gets a random op whenever idle, looked at every `everyMs` (0: off). */
  | { readonly kind: 'workload'; readonly everyMs: number }
  /** An administrator's request, asked of the leader until done (sim/engine/admin.ts); `joint` takes the whole target as the new voters. */
  | {
      readonly kind: 'membership';
      readonly change: 'add-learner' | 'promote' | 'remove' | 'joint' | 'transfer';
      readonly target: Target;
    }
  /**
   * 6.5840 Start(): offered to each node of the target in turn until one accepts (`every`: to all of
   * them); binds `as` to the nodes that accepted.
   */
  | {
      readonly kind: 'submit';
      readonly value: ValueExpr;
      readonly target: Target;
      readonly every: boolean;
      readonly as: string | null;
      readonly mustAccept: boolean;
    }
  /** 6.5840 one(): submit until some leader takes it and it commits on the quorum. */
  | {
      readonly kind: 'one';
      readonly value: ValueExpr;
      readonly where: Quorum;
      readonly retry: boolean;
      readonly withinMs: number;
    }
  | { readonly kind: 'client'; readonly client: number; readonly op: KvOp; readonly at: Target | null }
  | { readonly kind: 'wait'; readonly minMs: number; readonly maxMs: number }
  /** `orContinue`: a timeout is no failure, the script goes on (`wait until C within T or continue`). */
  | {
      readonly kind: 'wait-until';
      readonly cond: Condition;
      readonly withinMs: number;
      readonly orContinue: boolean;
    }
  | {
      readonly kind: 'expect';
      readonly cond: Condition;
      readonly mode: 'now' | 'within' | 'for';
      readonly ms: number;
    }
  | { readonly kind: 'let'; readonly name: string; readonly target: Target }
  | { readonly kind: 'mark'; readonly name: string }
  | {
      readonly kind: 'repeat';
      readonly times: number;
      readonly counter: string | null;
      readonly body: readonly Statement[];
    }
  | {
      readonly kind: 'if';
      readonly cond: Condition;
      readonly then: readonly Statement[];
      readonly otherwise: readonly Statement[];
    }
);

export interface Scenario {
  readonly file: string;
  readonly seed: number;
  readonly nodes: number;
  readonly clients: number;
  readonly timeMs: number;
  /** config.compaction from the header's `compaction` line (null: none, logs grow forever). */
  readonly compaction: CompactionConfig | null;
  /** Config fields set by the file (`set raft.heartbeatMs 100`), by dotted path, in order. */
  readonly settings: readonly {
    readonly path: string;
    readonly value: number | boolean | string;
    readonly line: number;
  }[];
  readonly body: readonly Statement[];
  readonly outcomes: readonly OutcomeExpectation[];
  /** The file's leading comment lines: what the scenario is about. */
  readonly comment: string;
}
