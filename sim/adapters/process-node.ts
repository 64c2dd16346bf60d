// A Raft node in another process, in any language, speaking line-delimited JSON over its stdin and
// stdout (the protocol is in docs/implementing.md). The engine's calls are synchronous and the
// run must stay deterministic, so each call is one request line and one answer line, exchanged
// through a bridge thread that owns the child processes: this thread posts the request and
// sleeps on an Atomics cell until the bridge has the answer (or a bound on real time passes — a
// safety limit on a hung process, never part of the run's logic).

import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { RaftProcess } from '../../src/raft/process.ts';
import type {
  Entry,
  HardState,
  LogWrite,
  Message,
  NodeId,
  ProposeResult,
  ReadReady,
  ReadResult,
  Ready,
  Role,
} from '../../src/raft/types.ts';
import type { NodeArgs, NodeFactory } from '../engine/runner.ts';
import { UsageError } from '../model/errors.ts';
import { ImplementationError } from './impl-error.ts';

/** The optional requests a process declared it answers (its capabilities `campaign` and `reads`). */
export interface OptionalCalls {
  readonly campaign: boolean;
  readonly reads: boolean;
}

/** How to start a node's process: the command, where, and how long an answer may take. */
export interface ProcessSpec {
  readonly command: string;
  readonly timeoutMs: number;
  readonly cwd: string;
}

/** Protocol version: a process answers `hello` with the version it speaks. */
export const PROTOCOL_VERSION = 1;

/** Default bound on real time for one answer (a hung or very slow process). */
export const DEFAULT_IMPL_TIMEOUT_MS = 10_000;

/** Processes kept started ahead per command, so that a node's start or restart does not wait for one. */
const SPARE_PROCESSES = 4;

/** Bound on real time for a process's first answer, which includes its start-up. */
const START_TIMEOUT_MS = 30_000;

/** Longest answer line accepted: a process printing without end is an error, not an OOM. */
const MAX_LINE_CHARS = 16 * 1024 * 1024;

// The bridge thread, as source: it is plain JavaScript with no imports of ours, and evaluating it
// works the same from the TypeScript sources and from the compiled dist/ (no loader needed).
const BRIDGE_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { spawn } = require('node:child_process');
const cell = new Int32Array(workerData.cell);
const port = workerData.port;
const maxLine = workerData.maxLine;
const children = new Map();
function answer(seq, body) {
  port.postMessage({ seq, ...body });
  Atomics.store(cell, 0, seq);
  Atomics.notify(cell, 0);
}
// Started processes wait here, already booted, for a node to need one: a node's start then costs
// one exchange instead of an interpreter's start-up, and a spare is started again at once.
const spares = new Map();
const SPARES = workerData.spares;
function start(handle, command, cwd) {
  const key = cwd + '\0' + command;
  let list = spares.get(key);
  if (list === undefined) spares.set(key, (list = []));
  const c = list.length > 0 ? list.shift() : launch(command, cwd);
  while (list.length < SPARES) list.push(launch(command, cwd));
  children.set(handle, c);
}
function launch(command, cwd) {
  const child = spawn(command, { shell: true, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  const c = { child, buf: '', waiting: null, exited: null, stderr: [] };
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    c.buf += chunk;
    for (let nl = c.buf.indexOf('\\n'); nl >= 0 && c.waiting !== null; nl = c.buf.indexOf('\\n')) {
      const line = c.buf.slice(0, nl);
      c.buf = c.buf.slice(nl + 1);
      const seq = c.waiting;
      c.waiting = null;
      answer(seq, { line });
    }
    if (c.waiting !== null && c.buf.length > maxLine) {
      const seq = c.waiting;
      c.waiting = null;
      answer(seq, { error: 'wrote a line longer than ' + maxLine + ' characters' });
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    for (const l of chunk.split('\\n')) if (l.trim() !== '') c.stderr.push(l);
    if (c.stderr.length > 20) c.stderr.splice(0, c.stderr.length - 20);
  });
  child.stdin.on('error', () => {});
  const gone = (what) => {
    if (c.exited !== null) return;
    c.exited = what;
    if (c.waiting !== null) {
      const seq = c.waiting;
      c.waiting = null;
      answer(seq, { error: what, stderr: c.stderr.slice(-3) });
    }
  };
  child.on('error', (e) => gone('could not be started: ' + e.message));
  // 'close', not 'exit': Node emits it once the child's stdout and stderr have closed, so a dying
  // process's last stderr lines are all in before the error names them (no timer: a child that
  // leaves a descendant holding its pipes ends as a timeout on the caller's bound instead).
  child.on('close', (code, signal) => gone(signal !== null ? 'was killed by ' + signal : 'exited with code ' + code));
  return c;
}
port.on('message', (m) => {
  if (m.op === 'start') start(m.handle, m.command, m.cwd);
  if (m.op === 'kill') {
    const c = children.get(m.handle);
    children.delete(m.handle);
    if (c !== undefined && c.exited === null) c.child.kill('SIGKILL');
    return;
  }
  if (m.op === 'send' || m.op === 'start') {
    const c = children.get(m.handle);
    if (c === undefined) return answer(m.seq, { error: 'no such process' });
    if (c.exited !== null) return answer(m.seq, { error: c.exited, stderr: c.stderr.slice(-3) });
    c.waiting = m.seq;
    c.child.stdin.write(m.line + '\\n');
    const nl = c.buf.indexOf('\\n');
    if (nl >= 0) {
      const line = c.buf.slice(0, nl);
      c.buf = c.buf.slice(nl + 1);
      c.waiting = null;
      answer(m.seq, { line });
    }
  }
});
`;

type BridgeAnswer = { seq: number; line?: string; error?: string; stderr?: string[] };

/** The bridge of this thread: one worker, shared by every run in the thread, kept until exit. */
class Bridge {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly cell: Int32Array;
  private seq = 0;
  private nextHandle = 0;

  constructor() {
    const shared = new SharedArrayBuffer(4);
    this.cell = new Int32Array(shared);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(BRIDGE_SOURCE, {
      eval: true,
      workerData: { cell: shared, port: port2, maxLine: MAX_LINE_CHARS, spares: SPARE_PROCESSES },
      transferList: [port2],
    });
    // The bridge must not keep the process alive once the harness is done.
    this.worker.unref();
    this.port.unref();
  }

  newHandle(): number {
    return ++this.nextHandle;
  }

  /**
   * Sends one line to a process (starting it first when `command` is given) and waits for its
   * answer line. Throws a plain Error with the reason when there is none.
   */
  exchange(handle: number, line: string, timeoutMs: number, start?: ProcessSpec): string {
    const seq = ++this.seq;
    this.port.postMessage(
      start === undefined
        ? { op: 'send', handle, seq, line }
        : { op: 'start', handle, seq, line, command: start.command, cwd: start.cwd },
    );
    // Sleep in slices so that an answer to an older, abandoned request cannot end the wait
    // early; counting slices bounds the wait without reading a clock inside the run.
    const sliceMs = 50;
    let waitedMs = 0;
    for (;;) {
      const answer = this.take(seq);
      if (answer !== null) {
        if (answer.error !== undefined) {
          const tail =
            answer.stderr !== undefined && answer.stderr.length > 0
              ? ` (stderr: ${answer.stderr.join(' | ')})`
              : '';
          throw new Error(`${answer.error}${tail}`);
        }
        return answer.line!;
      }
      // A process's first answer also waits for its interpreter to start, however slow the machine.
      const boundMs = start === undefined ? timeoutMs : Math.max(timeoutMs, START_TIMEOUT_MS);
      if (waitedMs >= boundMs) throw new Error(`did not answer within ${boundMs} ms`);
      const seen = Atomics.load(this.cell, 0);
      if (seen !== seq) {
        if (Atomics.wait(this.cell, 0, seen, sliceMs) === 'timed-out') waitedMs += sliceMs;
      }
    }
  }

  /** The answer to request `seq` if it is here; answers to abandoned requests are dropped. */
  private take(seq: number): BridgeAnswer | null {
    for (let m = receiveMessageOnPort(this.port); m !== undefined; m = receiveMessageOnPort(this.port)) {
      const answer = m.message as BridgeAnswer;
      if (answer.seq === seq) return answer;
    }
    return null;
  }

  kill(handle: number): void {
    this.port.postMessage({ op: 'kill', handle });
  }
}

let bridge: Bridge | null = null;
export function theBridge(): Bridge {
  bridge ??= new Bridge();
  return bridge;
}

/** What a process says about itself before any run: its name and capabilities. */
export interface Hello {
  readonly name: string;
  readonly capabilities: unknown;
}

/** Starts the command once, asks `hello`, and stops it. Errors are UsageErrors (bad --impl-cmd). */
export function helloProcess(spec: ProcessSpec): Hello {
  const { command, timeoutMs } = spec;
  const b = theBridge();
  const handle = b.newHandle();
  const where = `--impl-cmd ${JSON.stringify(command)}`;
  try {
    const line = b.exchange(
      handle,
      JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION }),
      timeoutMs,
      spec,
    );
    const answer = parseLine(line);
    if (answer === null || typeof answer.name !== 'string')
      throw new UsageError(
        `${where}: answered hello with something other than {"name": ..., "capabilities": ...}`,
      );
    if (answer.protocol !== PROTOCOL_VERSION)
      throw new UsageError(
        `${where}: speaks protocol ${String(answer.protocol)}, raftsim speaks ${PROTOCOL_VERSION}`,
      );
    return { name: answer.name, capabilities: answer.capabilities };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${where}: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    b.kill(handle);
  }
}

function parseLine(line: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * The processes of one run: one per node incarnation. A crash keeps nothing of a process: when
 * the node restarts, its old process is killed and a new one is started with `init` carrying the
 * durable state the harness kept.
 */
export function openProcessCluster(
  spec: ProcessSpec,
  declared: OptionalCalls,
): { createNode: NodeFactory; close(): void } {
  const b = theBridge();
  const live = new Map<NodeId, number>();
  const createNode: NodeFactory = (args) => {
    const old = live.get(args.id);
    if (old !== undefined) b.kill(old);
    const handle = b.newHandle();
    live.set(args.id, handle);
    return new ProcessNode(b, handle, spec, declared, args);
  };
  return {
    createNode,
    close: () => {
      for (const handle of live.values()) b.kill(handle);
      live.clear();
    },
  };
}

const EMPTY: readonly never[] = Object.freeze([]);
/** A node that said nothing: what `ready()` gives before an answer, or twice for one answer. */
const NOTHING: Ready = Object.freeze({
  hardState: null,
  logWrite: null,
  messages: EMPTY,
  firstApplyIndex: 0,
  toApply: EMPTY,
  readsReady: EMPTY,
});

/**
 * One node as the engine sees it. Every call is one exchange; the answer carries the node's Ready
 * and its read-only views, which are served from here (the checkers read them often). The log is
 * mirrored from the durable log and the log writes the node hands out, so termAt and entryAt
 * need no exchange — and the mirror is checked against the lastIndex the node reports.
 */
class ProcessNode implements RaftProcess {
  readonly id: NodeId;
  private readonly bridge: Bridge;
  private readonly handle: number;
  private readonly timeoutMs: number;
  private readonly log: Entry[];

  role: Role = 'follower';
  currentTerm = 0;
  votedFor: NodeId = 0;
  leaderId: NodeId = 0;
  commitIndex = 0;
  lastApplied = 0;
  lastIndex = 0;
  private wakeMs = Number.POSITIVE_INFINITY;
  private pending: Ready | null = null;
  private result: unknown = null;

  /** Present only when the process declares the capability: the engine asks `p.campaign === undefined`. */
  readonly campaign?: (nowMs: number) => void;
  readonly read?: (nowMs: number, requestId: number) => ReadResult;

  constructor(bridge: Bridge, handle: number, spec: ProcessSpec, declared: OptionalCalls, args: NodeArgs) {
    this.id = args.id;
    this.bridge = bridge;
    this.handle = handle;
    this.timeoutMs = spec.timeoutMs;
    this.log = args.durable.log.slice();
    if (declared.campaign) this.campaign = (nowMs) => this.call('campaign', { type: 'campaign', nowMs });
    if (declared.reads) {
      this.read = (nowMs, requestId) => {
        this.call('read', { type: 'read', nowMs, requestId });
        return this.answerOf('read') as ReadResult;
      };
    }
    // The node's randomness crosses as a seed for a generator of its own, drawn from its stream.
    const randomSeed = Math.floor(args.rng() * 2 ** 32);
    const init = {
      type: 'init',
      id: args.id,
      peers: args.peers,
      config: args.config,
      randomSeed,
      durable: args.durable,
      nowMs: args.nowMs,
    };
    this.call('init', init, spec);
  }

  private call(what: string, request: object, start?: ProcessSpec): void {
    let line: string;
    try {
      line = this.bridge.exchange(this.handle, JSON.stringify(request), this.timeoutMs, start);
    } catch (error) {
      throw new ImplementationError(
        `S${this.id} (${what}): ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const answer = parseLine(line);
    if (answer === null)
      throw this.bad(what, `answered with a line that is not a JSON object: ${clip(line)}`);
    if (typeof answer.error === 'string') throw this.bad(what, `reported an error: ${clip(answer.error)}`);
    this.absorb(what, answer);
  }

  private bad(what: string, why: string): ImplementationError {
    return new ImplementationError(`S${this.id} (${what}) ${why}`);
  }

  /** Takes in an answer: the views, the Ready (mirroring its log write), the call's result. */
  private absorb(what: string, answer: Record<string, unknown>): void {
    const s = answer.state as Record<string, unknown> | undefined;
    if (typeof s !== 'object' || s === null) throw this.bad(what, 'answered without "state"');
    const role = s.role;
    if (role !== 'follower' && role !== 'precandidate' && role !== 'candidate' && role !== 'leader')
      throw this.bad(what, `answered with an unknown role ${JSON.stringify(role)}`);
    this.role = role;
    this.currentTerm = this.int(what, s, 'currentTerm');
    this.votedFor = this.int(what, s, 'votedFor');
    this.leaderId = this.int(what, s, 'leaderId');
    this.commitIndex = this.int(what, s, 'commitIndex');
    this.lastApplied = this.int(what, s, 'lastApplied');
    const lastIndex = this.int(what, s, 'lastIndex');
    this.wakeMs = s.nextWakeMs === null ? Number.POSITIVE_INFINITY : this.int(what, s, 'nextWakeMs');
    const ready = this.readyOf(what, answer.ready);
    this.pending = ready;
    if (ready.logWrite !== null) {
      const keep = ready.logWrite.fromIndex - 1;
      if (keep < 0 || keep > this.log.length)
        throw this.bad(
          what,
          `wrote its log from index ${ready.logWrite.fromIndex} past its end ${this.log.length}`,
        );
      this.log.length = keep;
      for (const e of ready.logWrite.entries) this.log.push(e);
    }
    if (lastIndex !== this.log.length)
      throw this.bad(what, `reports lastIndex ${lastIndex} but its log writes make ${this.log.length}`);
    this.lastIndex = lastIndex;
    this.result = answer.result ?? null;
  }

  private int(what: string, o: Record<string, unknown>, key: string): number {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
      throw this.bad(what, `answered with ${key} ${JSON.stringify(v)}, not a non-negative integer`);
    return v;
  }

  private readyOf(what: string, r: unknown): Ready {
    if (r === undefined || r === null) return NOTHING;
    if (typeof r !== 'object') throw this.bad(what, 'answered with a "ready" that is not an object');
    const o = r as Record<string, unknown>;
    const arr = (key: string): unknown[] => {
      const v = o[key];
      if (v === undefined || v === null) return [];
      if (!Array.isArray(v)) throw this.bad(what, `answered with ready.${key} that is not an array`);
      return v;
    };
    const hs = o.hardState as HardState | null | undefined;
    if (hs !== undefined && hs !== null) {
      this.int(what, hs as unknown as Record<string, unknown>, 'currentTerm');
      this.int(what, hs as unknown as Record<string, unknown>, 'votedFor');
    }
    const lw = o.logWrite as LogWrite | null | undefined;
    if (lw !== undefined && lw !== null) {
      this.int(what, lw as unknown as Record<string, unknown>, 'fromIndex');
      if (!Array.isArray(lw.entries))
        throw this.bad(what, 'answered with ready.logWrite.entries that is not an array');
      if (lw.fromIndex < 1) throw this.bad(what, `wrote its log from index ${lw.fromIndex}`);
    }
    const messages = arr('messages') as Message[];
    for (const m of messages) {
      if (typeof m !== 'object' || m === null || m.from !== this.id || typeof m.type !== 'string')
        throw this.bad(what, `sent a message that is not from S${this.id}: ${clip(JSON.stringify(m))}`);
    }
    const toApply = arr('toApply') as Entry[];
    return {
      hardState: hs ?? null,
      logWrite: lw ?? null,
      messages,
      firstApplyIndex: toApply.length === 0 ? 0 : this.int(what, o, 'firstApplyIndex'),
      toApply,
      readsReady: arr('readsReady') as ReadReady[],
    };
  }

  tick(nowMs: number): void {
    this.call('tick', { type: 'tick', nowMs });
  }
  step(nowMs: number, message: Message): void {
    this.call(`step ${message.type} from S${message.from}`, { type: 'step', nowMs, message });
  }
  propose(nowMs: number, command: Entry['command']): ProposeResult {
    this.call('propose', { type: 'propose', nowMs, command });
    return this.answerOf('propose') as ProposeResult;
  }

  /** The result of a propose or read: {ok: true, ...} or {ok: false, leaderHint}. */
  private answerOf(what: string): unknown {
    const r = this.result as Record<string, unknown> | null;
    if (typeof r !== 'object' || r === null || typeof r.ok !== 'boolean')
      throw this.bad(what, 'answered without a "result" of {"ok": true|false, ...}');
    if (r.ok === false) this.int(what, r, 'leaderHint');
    else if (what === 'propose') {
      this.int(what, r, 'index');
      this.int(what, r, 'term');
    }
    return r;
  }
  ready(): Ready {
    const r = this.pending;
    this.pending = null;
    return r ?? NOTHING;
  }
  nextWakeMs(): number {
    return this.wakeMs;
  }
  termAt(index: number): number | undefined {
    if (index === 0) return 0;
    return this.log[index - 1]?.term;
  }
  entryAt(index: number): Entry | undefined {
    return this.log[index - 1];
  }
}

function clip(s: string): string {
  return s.length > 120 ? `${s.slice(0, 120)}…` : s;
}
