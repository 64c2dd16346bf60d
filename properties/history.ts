// A client history: what the clients of the key-value store asked for and what they were told.
// The simulator records it; the linearizability checker reads it. Plain data, JSON in and out.

import { z } from 'zod';
import { AssertionError } from '../src/assert.ts';
import type { KvOp, KvResult } from '../src/raft/types.ts';

/**
 * One operation of one client.
 * - `ok`: it completed and `result` is what the client was told.
 * - `fail`: it definitely did not take effect (the store said so); the checker drops it.
 * - `info`: unknown outcome (timeout, crash). It may take effect at any point after
 *   `invokeMs`, or never; its result constrains nothing, so `result` is null and any
 *   `returnMs` is ignored: it stays pending to the end of the history.
 */
export type HistoryOp = {
  id: number;
  client: number;
  op: KvOp;
  invokeMs: number;
  returnMs: number | null;
  result: KvResult | null;
  status: 'ok' | 'fail' | 'info';
};

export type History = { version: 1; ops: HistoryOp[] };

export const HISTORY_VERSION = 1;

// Fields beyond those declared are accepted and dropped, so that a recorder may add its own
// (request ids, node names) without breaking the checker; every declared field is required.
const nonNegativeInt = z.number().int().nonnegative();

export const kvOpSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('get'), key: z.string() }),
  z.object({ type: z.literal('put'), key: z.string(), value: z.string() }),
  z.object({ type: z.literal('append'), key: z.string(), value: z.string() }),
  z.object({ type: z.literal('cas'), key: z.string(), expected: z.string(), value: z.string() }),
]);

export const kvResultSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('get'), value: z.string().nullable() }),
  z.object({ type: z.literal('put') }),
  z.object({ type: z.literal('append') }),
  z.object({ type: z.literal('cas'), ok: z.boolean() }),
]);

export const historyOpSchema = z
  .strictObject({
    id: nonNegativeInt,
    client: nonNegativeInt,
    op: kvOpSchema,
    invokeMs: nonNegativeInt,
    returnMs: nonNegativeInt.nullable(),
    result: kvResultSchema.nullable(),
    status: z.enum(['ok', 'fail', 'info']),
  })
  .superRefine((o, ctx) => {
    if (o.status !== 'ok') {
      if (o.result !== null) {
        ctx.addIssue({
          code: 'custom',
          path: ['result'],
          message: `must be null when status is '${o.status}'`,
        });
      }
      return;
    }
    if (o.returnMs === null) {
      ctx.addIssue({ code: 'custom', path: ['returnMs'], message: "must be a time when status is 'ok'" });
    } else if (o.returnMs < o.invokeMs) {
      ctx.addIssue({ code: 'custom', path: ['returnMs'], message: `is before invokeMs (${o.invokeMs})` });
    }
    if (o.result === null) {
      ctx.addIssue({ code: 'custom', path: ['result'], message: "must be given when status is 'ok'" });
    } else if (o.result.type !== o.op.type) {
      ctx.addIssue({
        code: 'custom',
        path: ['result', 'type'],
        message: `is '${o.result.type}' but the op is a '${o.op.type}'`,
      });
    }
  });

export const historySchema = z
  .strictObject({
    version: z.literal(HISTORY_VERSION),
    ops: z.array(historyOpSchema),
  })
  .superRefine((h, ctx) => {
    const firstIndexOfId = new Map<number, number>();
    for (const [i, o] of h.ops.entries()) {
      const earlier = firstIndexOfId.get(o.id);
      if (earlier !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['ops', i, 'id'],
          message: `${o.id} is already used by ops[${earlier}]`,
        });
      } else {
        firstIndexOfId.set(o.id, i);
      }
    }
  });

// The schema must accept exactly the declared types; a drift between the two fails to compile.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesOp: Same<z.infer<typeof historyOpSchema>, HistoryOp> = true;
const schemaMatchesHistory: Same<z.infer<typeof historySchema>, History> = true;
void schemaMatchesOp;
void schemaMatchesHistory;

/** A user error in a history file: one line, naming where. */
export type HistoryParseResult = { ok: true; history: History } | { ok: false; message: string };

/** `ops[3].result.type`: the path of a zod issue as a reader would write it. */
export function formatJsonPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(top level)' : out;
}

/** Validates a parsed JSON value as a raftsim history. Reports the first problem, with its JSON path. */
export function validateHistory(value: unknown): HistoryParseResult {
  const parsed = historySchema.safeParse(value);
  if (parsed.success) return { ok: true, history: parsed.data };
  const issue = parsed.error.issues[0];
  if (issue === undefined) return { ok: false, message: 'invalid history' };
  const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problems)` : '';
  return { ok: false, message: `${formatJsonPath(issue.path)}: ${issue.message}${more}` };
}

/** `append("k", "v")`, `cas("k", "a"→"b")`: short and unambiguous, for reports. */
export function describeKvOp(op: KvOp): string {
  switch (op.type) {
    case 'get':
      return `get(${JSON.stringify(op.key)})`;
    case 'put':
      return `put(${JSON.stringify(op.key)}, ${JSON.stringify(op.value)})`;
    case 'append':
      return `append(${JSON.stringify(op.key)}, ${JSON.stringify(op.value)})`;
    case 'cas':
      return `cas(${JSON.stringify(op.key)}, ${JSON.stringify(op.expected)} -> ${JSON.stringify(op.value)})`;
    default:
      return unreachable(op);
  }
}

export function describeKvResult(result: KvResult): string {
  switch (result.type) {
    case 'get':
      return JSON.stringify(result.value ?? '');
    case 'put':
    case 'append':
      return 'ok';
    case 'cas':
      return result.ok ? 'ok' : 'failed';
    default:
      return unreachable(result);
  }
}

/** `op #7 by client 3: get("x") -> "ab", [12, 15]` (or `pending since 12`). */
export function describeHistoryOp(o: HistoryOp): string {
  const outcome =
    o.status === 'ok' && o.result !== null
      ? ` -> ${describeKvResult(o.result)}`
      : o.status === 'ok'
        ? ''
        : ` (${o.status})`;
  const when =
    o.status === 'info' || o.returnMs === null
      ? `pending since ${o.invokeMs}`
      : `[${o.invokeMs}, ${o.returnMs}]`;
  return `op #${o.id} by client ${o.client}: ${describeKvOp(o.op)}${outcome}, ${when}`;
}

function unreachable(x: never): never {
  throw new AssertionError(`unreachable: ${JSON.stringify(x)}`);
}
