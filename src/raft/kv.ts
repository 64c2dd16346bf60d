import { assert } from '../assert.ts';
import type { Command, KvOp, KvResult } from './types.ts';

/**
 * The replicated state machine: a map from string keys to string values.
 *
 * Semantics, shared with the linearizability checker's model through `applyKvOp`:
 * - a missing key reads as `null`;
 * - `append` to a missing key stores just the appended value;
 * - `cas` treats a missing key as the empty string: it succeeds on a missing key only when
 *   `expected === ''`, which lets a client create a key exactly once.
 */

const PUT_RESULT: KvResult = Object.freeze({ type: 'put' });
const APPEND_RESULT: KvResult = Object.freeze({ type: 'append' });
const CAS_OK: KvResult = Object.freeze({ type: 'cas', ok: true });
const CAS_FAILED: KvResult = Object.freeze({ type: 'cas', ok: false });

export interface KvStep {
  /** The key's value after the operation (`null`: still missing). */
  readonly value: string | null;
  readonly result: KvResult;
}

/** One operation on one key's value, with no other state: the whole of the key-value model. */
export function applyKvOp(value: string | null, op: KvOp): KvStep {
  switch (op.type) {
    case 'get':
      return { value, result: { type: 'get', value } };
    case 'put':
      return { value: op.value, result: PUT_RESULT };
    case 'append':
      return { value: (value ?? '') + op.value, result: APPEND_RESULT };
    case 'cas': {
      if ((value ?? '') !== op.expected) return { value, result: CAS_FAILED };
      return { value: op.value, result: CAS_OK };
    }
  }
}

interface ClientSession {
  seq: number;
  result: KvResult;
}

/**
 * The key-value store with per-client deduplication: a client retries a request with the same
 * (clientId, seq), and the log may then hold it twice; it must take effect once. Clients issue
 * one request at a time with increasing seq, so remembering the last seq and its result per
 * client is enough.
 */
export class KvStore {
  private readonly data: Map<string, string>;
  private readonly sessions: Map<number, ClientSession>;

  constructor(data?: ReadonlyMap<string, string>, sessions?: ReadonlyMap<number, ClientSession>) {
    this.data = new Map(data);
    this.sessions = new Map();
    if (sessions !== undefined) {
      for (const [clientId, s] of sessions) this.sessions.set(clientId, { seq: s.seq, result: s.result });
    }
  }

  /**
   * Apply one committed command. Returns the operation's result; the remembered result when the
   * command repeats the client's latest request; `null` for a no-op, and `null` for a request older
   * than the client's latest, whose answer nobody awaits any more.
   */
  apply(command: Command): KvResult | null {
    // No-ops and configurations are the protocol's entries, not the application's.
    if (command.kind !== 'kv') return null;
    assert(
      Number.isSafeInteger(command.seq) && command.seq >= 0,
      () => `client ${command.clientId} sent seq ${command.seq}`,
    );
    const session = this.sessions.get(command.clientId);
    if (session !== undefined && command.seq <= session.seq) {
      return command.seq === session.seq ? session.result : null;
    }
    const key = command.op.key;
    const before = this.data.get(key);
    const step = applyKvOp(before === undefined ? null : before, command.op);
    if (step.value === null) {
      assert(before === undefined, 'a key-value operation deleted a key');
    } else if (step.value !== before) {
      this.data.set(key, step.value);
    }
    if (session === undefined) {
      this.sessions.set(command.clientId, { seq: command.seq, result: step.result });
    } else {
      session.seq = command.seq;
      session.result = step.result;
    }
    return step.result;
  }

  get(key: string): string | null {
    return this.data.get(key) ?? null;
  }

  /** Last seq applied for a client (0 if none). */
  lastSeq(clientId: number): number {
    return this.sessions.get(clientId)?.seq ?? 0;
  }

  /** A copy of the data, keys in first-write order, for tests and reports. */
  snapshot(): Map<string, string> {
    return new Map(this.data);
  }

  /**
   * The whole state as a string, for a snapshot (paper §7): the data and the client table, both in
   * insertion order, so equal histories give equal strings. The client table must be in it: without
   * it a retried request whose first copy the snapshot covers would apply twice.
   */
  encode(): string {
    const sessions: [number, number, KvResult][] = [];
    for (const [clientId, s] of this.sessions) sessions.push([clientId, s.seq, s.result]);
    return JSON.stringify({ data: [...this.data], sessions });
  }

  /** The store `encode` describes. */
  static decode(text: string): KvStore {
    const parsed = JSON.parse(text) as { data: [string, string][]; sessions: [number, number, KvResult][] };
    const sessions = new Map<number, ClientSession>();
    for (const [clientId, seq, result] of parsed.sessions) sessions.set(clientId, { seq, result });
    return new KvStore(new Map(parsed.data), sessions);
  }

  /** An independent copy, sessions included (e.g. to keep a durable image across a simulated crash). */
  clone(): KvStore {
    return new KvStore(this.data, this.sessions);
  }
}
