// A Raft implementation brought by its author: a module exporting a RaftImplementation (in-process,
// TypeScript or JavaScript), or a command started once per node that speaks the JSON-lines
// protocol (sim/adapters/process-node.ts). Named by plain data (ImplSpec) so that the name crosses
// into worker threads, each of which loads the module itself. docs/implementing.md is the contract.

import { pathToFileURL } from 'node:url';
import type { RaftProcess } from '../../src/raft/process.ts';
import type { Entry, Message, NodeId, ProposeResult, ReadResult, Ready, Role } from '../../src/raft/types.ts';
import type { NodeArgs, NodeFactory } from '../engine/runner.ts';
import { UsageError } from '../model/errors.ts';
import { userPath } from '../model/output-file.ts';
import { ImplementationError } from './impl-error.ts';
import { helloProcess, openProcessCluster } from './process-node.ts';

export { ImplementationError };

/**
 * What an implementation supports beyond Figure 2. The harness never asks for what is not
 * declared: configs keep those options off, scenarios that need them are skipped and say why.
 */
export interface Capabilities {
  /** `campaign()`: scripted scenarios say who campaigns when. */
  readonly campaign: boolean;
  /** `read()` and Ready.readsReady: the read modes 'read-index', 'lease' and 'unsafe-local'. */
  readonly reads: boolean;
  /** config.raft.preVote is honoured. */
  readonly preVote: boolean;
  /** config.raft.checkQuorum is honoured. */
  readonly checkQuorum: boolean;
  /** Membership change: changeMembership and transferLeadership (config entries, learners, TimeoutNow). */
  readonly membership: boolean;
  /** Log compaction: compact(), snapshotIndex, InstallSnapshot and Ready.snapshot (paper §7). */
  readonly snapshots: boolean;
}

export const CAPABILITY_NAMES: readonly (keyof Capabilities)[] = [
  'campaign',
  'reads',
  'preVote',
  'checkQuorum',
  'membership',
  'snapshots',
];

export const NO_CAPABILITIES: Capabilities = {
  campaign: false,
  reads: false,
  preVote: false,
  checkQuorum: false,
  membership: false,
  snapshots: false,
};

/** What an `--impl` module's default export must be. */
export interface RaftImplementation {
  /** Shown in reports. */
  readonly name: string;
  /** Undeclared capabilities are taken as unsupported. */
  readonly capabilities?: Partial<Capabilities>;
  /** Called at start and at every restart of a node, with its durable state. */
  readonly createNode: NodeFactory;
}

/** The implementation a run uses, by name: plain data, so that worker threads can load it too. */
export type ImplSpec =
  | { readonly kind: 'module'; readonly url: string; readonly shown: string }
  | {
      readonly kind: 'command';
      readonly command: string;
      /** Bound on real time for one answer: a safety limit on a hung process. */
      readonly timeoutMs: number;
      /** The directory the command runs in (the user's). */
      readonly cwd: string;
    };

/** An implementation ready to run: its name, what it supports, and how to build a run's nodes. */
export interface LoadedImpl {
  readonly spec: ImplSpec;
  readonly name: string;
  readonly capabilities: Capabilities;
}

/** The node factory of one run, and what must be released when the run ends (processes). */
export interface OpenedImpl {
  readonly createNode: NodeFactory;
  close(): void;
}

/** Per-thread: what loadImpl loaded, by specKey, so that a run (synchronous) can open it. */
const loaded = new Map<string, { impl: LoadedImpl; factory: NodeFactory | null }>();

function specKey(spec: ImplSpec): string {
  return spec.kind === 'module' ? `module ${spec.url}` : `command ${spec.command}`;
}

/** `--impl <path>` as a spec: the path resolved against the working directory. */
export function moduleSpec(path: string): ImplSpec {
  return { kind: 'module', url: pathToFileURL(userPath(path)).href, shown: path };
}

/** How a module spec is imported: TypeScript from compiled JavaScript needs tsx's loader. */
async function importModule(spec: { url: string; shown: string }): Promise<unknown> {
  const typescript = /\.[mc]?ts$/.test(spec.url);
  if (typescript && !import.meta.url.endsWith('.ts')) {
    try {
      const { register } = await import('tsx/esm/api');
      register();
    } catch {
      throw new UsageError(`--impl ${spec.shown}: a TypeScript module needs tsx installed (npm install tsx)`);
    }
  }
  try {
    return await import(spec.url);
  } catch (error) {
    const what = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new UsageError(`--impl ${spec.shown}: could not be loaded: ${what}`);
  }
}

function capabilitiesOf(declared: unknown, where: string): Capabilities {
  if (declared === undefined) return NO_CAPABILITIES;
  if (typeof declared !== 'object' || declared === null)
    throw new UsageError(`${where}: capabilities must be an object of booleans`);
  const out: Record<string, boolean> = { ...NO_CAPABILITIES };
  for (const [key, value] of Object.entries(declared)) {
    if (!(CAPABILITY_NAMES as readonly string[]).includes(key))
      throw new UsageError(`${where}: unknown capability '${key}' (known: ${CAPABILITY_NAMES.join(', ')})`);
    if (typeof value !== 'boolean')
      throw new UsageError(`${where}: capability '${key}' must be true or false`);
    out[key] = value;
  }
  return out as unknown as Capabilities;
}

/** Loads an implementation in this thread (once) and says what it supports. Errors are UsageErrors. */
export async function loadImpl(spec: ImplSpec): Promise<LoadedImpl> {
  const key = specKey(spec);
  const known = loaded.get(key);
  if (known !== undefined) return known.impl;
  if (spec.kind === 'command') {
    const hello = helloProcess(spec);
    const where = `--impl-cmd ${JSON.stringify(spec.command)}`;
    const impl: LoadedImpl = {
      spec,
      name: hello.name,
      capabilities: capabilitiesOf(hello.capabilities, where),
    };
    loaded.set(key, { impl, factory: null });
    return impl;
  }
  const mod = (await importModule(spec)) as { default?: unknown };
  const where = `--impl ${spec.shown}`;
  const value = mod.default as Partial<RaftImplementation> | undefined;
  if (typeof value !== 'object' || value === null || typeof value.createNode !== 'function')
    throw new UsageError(
      `${where}: the default export must be { name, capabilities, createNode } (docs/implementing.md)`,
    );
  const name = typeof value.name === 'string' && value.name !== '' ? value.name : spec.shown;
  const impl: LoadedImpl = { spec, name, capabilities: capabilitiesOf(value.capabilities, where) };
  loaded.set(key, { impl, factory: value.createNode });
  return impl;
}

/** The nodes of one run. The implementation must have been loaded in this thread (loadImpl). */
export function openImpl(spec: ImplSpec): OpenedImpl {
  const entry = loaded.get(specKey(spec));
  if (entry === undefined) throw new Error(`implementation ${specKey(spec)} used before loadImpl`);
  if (spec.kind === 'command') return openProcessCluster(spec, entry.impl.capabilities);
  const factory = entry.factory!;
  return {
    createNode: (args) => {
      let p: RaftProcess;
      try {
        p = factory(args);
      } catch (error) {
        throw implError(args.id, 'createNode', error);
      }
      return new GuardedProcess(p);
    },
    close: () => {},
  };
}

/** What a thrown value says, in one line. */
export function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

function implError(id: NodeId, call: string, error: unknown): Error {
  // The implementation's own assertions are findings of the same kind as the reference node's.
  if (error instanceof Error && error.name === 'AssertionError') return error;
  if (error instanceof ImplementationError) return error;
  return new ImplementationError(`S${id} threw in ${call}: ${errorText(error)}`);
}

function describeMessage(m: Message): string {
  return `${m.type} from S${m.from}`;
}

/** The optional members of RaftProcess: the ones a node may lack. */
type OptionalMember = {
  [K in keyof RaftProcess]-?: Record<string, never> extends Pick<RaftProcess, K> ? K : never;
}[keyof RaftProcess];

/**
 * Every optional member of the contract, forwarded by GuardedProcess when the node has it. An
 * optional member added to RaftProcess (membership change, snapshots) does not compile until it is
 * named here: an implementation's node would otherwise seem to lack it.
 */
const OPTIONAL_MEMBERS = [
  'campaign',
  'read',
  'changeMembership',
  'transferLeadership',
  'compact',
  'snapshotIndex',
] as const satisfies readonly OptionalMember[];
const everyOptionalForwarded: [Exclude<OptionalMember, (typeof OPTIONAL_MEMBERS)[number]>] extends [never]
  ? true
  : Exclude<OptionalMember, (typeof OPTIONAL_MEMBERS)[number]> = true;
void everyOptionalForwarded;

/**
 * An implementation's node with every call guarded: whatever its code throws becomes an
 * ImplementationError naming the node and the call, so a run reports it instead of calling it a
 * bug in raftsim. It adds nothing to the trace: the same implementation gives the same run. Each
 * method has its own try/catch, with no closure: the checkers read the views many times a step.
 */
class GuardedProcess implements RaftProcess {
  readonly id: NodeId;
  private readonly p: RaftProcess;
  readonly campaign?: (nowMs: number) => void;
  readonly read?: (nowMs: number, requestId: number) => ReadResult;
  readonly changeMembership?: RaftProcess['changeMembership'];
  readonly transferLeadership?: RaftProcess['transferLeadership'];
  readonly compact?: RaftProcess['compact'];
  readonly snapshotIndex?: number;

  constructor(p: RaftProcess) {
    this.p = p;
    this.id = p.id;
    // The optional members the node has, forwarded and guarded; those it lacks stay undefined,
    // which is how the engine knows (`p.campaign === undefined`).
    const self = this as unknown as Record<string, unknown>;
    const node = p as unknown as Record<string, unknown>;
    for (const name of OPTIONAL_MEMBERS) {
      const member = node[name];
      if (member === undefined) continue;
      if (typeof member !== 'function') {
        Object.defineProperty(this, name, { get: () => this.guardedView(name) });
        continue;
      }
      self[name] = (...args: unknown[]) => {
        try {
          return (node[name] as (...a: unknown[]) => unknown).apply(p, args);
        } catch (error) {
          throw implError(this.id, name, error);
        }
      };
    }
  }

  private guardedView(name: string): unknown {
    try {
      return (this.p as unknown as Record<string, unknown>)[name];
    } catch (error) {
      throw implError(this.id, name, error);
    }
  }

  tick(nowMs: number): void {
    try {
      this.p.tick(nowMs);
    } catch (error) {
      throw implError(this.id, 'tick', error);
    }
  }
  step(nowMs: number, message: Message): void {
    try {
      this.p.step(nowMs, message);
    } catch (error) {
      throw implError(this.id, `step(${describeMessage(message)})`, error);
    }
  }
  propose(nowMs: number, command: Entry['command']): ProposeResult {
    let result: ProposeResult;
    try {
      result = this.p.propose(nowMs, command);
    } catch (error) {
      throw implError(this.id, 'propose', error);
    }
    if (typeof result !== 'object' || result === null || typeof result.ok !== 'boolean')
      throw new ImplementationError(`S${this.id} propose() returned no {ok: true|false, ...}`);
    return result;
  }
  ready(): Ready {
    let r: Ready;
    try {
      r = this.p.ready();
    } catch (error) {
      throw implError(this.id, 'ready', error);
    }
    // The shape the engine relies on, checked here so that a malformed Ready is the
    // implementation's error rather than a TypeError deep in raftsim.
    if (typeof r !== 'object' || r === null || !Array.isArray(r.messages) || !Array.isArray(r.toApply))
      throw new ImplementationError(
        `S${this.id} ready() returned no Ready ({messages: [], toApply: [], ...})`,
      );
    if (r.hardState === undefined || r.logWrite === undefined)
      throw new ImplementationError(
        `S${this.id} ready() left hardState or logWrite undefined (null means none)`,
      );
    return r;
  }
  nextWakeMs(): number {
    try {
      return this.p.nextWakeMs();
    } catch (error) {
      throw implError(this.id, 'nextWakeMs', error);
    }
  }
  get role(): Role {
    try {
      return this.p.role;
    } catch (error) {
      throw implError(this.id, 'role', error);
    }
  }
  get currentTerm(): number {
    try {
      return this.p.currentTerm;
    } catch (error) {
      throw implError(this.id, 'currentTerm', error);
    }
  }
  get votedFor(): NodeId {
    try {
      return this.p.votedFor;
    } catch (error) {
      throw implError(this.id, 'votedFor', error);
    }
  }
  get leaderId(): NodeId {
    try {
      return this.p.leaderId;
    } catch (error) {
      throw implError(this.id, 'leaderId', error);
    }
  }
  get commitIndex(): number {
    try {
      return this.p.commitIndex;
    } catch (error) {
      throw implError(this.id, 'commitIndex', error);
    }
  }
  get lastApplied(): number {
    try {
      return this.p.lastApplied;
    } catch (error) {
      throw implError(this.id, 'lastApplied', error);
    }
  }
  get lastIndex(): number {
    try {
      return this.p.lastIndex;
    } catch (error) {
      throw implError(this.id, 'lastIndex', error);
    }
  }
  termAt(index: number): number | undefined {
    try {
      return this.p.termAt(index);
    } catch (error) {
      throw implError(this.id, 'termAt', error);
    }
  }
  entryAt(index: number): Entry | undefined {
    try {
      return this.p.entryAt(index);
    } catch (error) {
      throw implError(this.id, 'entryAt', error);
    }
  }
}

export type { NodeArgs };
