import { describe, expect, it } from 'vitest';
import { createSafetyCheckers } from '../properties/index.ts';
import { runSeed } from '../sim/explore/generate.ts';
import { defaultConfig, type SimConfig } from '../sim/model/config.ts';
import { KvStore } from '../src/raft/kv.ts';
import type { Command, KvResult } from '../src/raft/types.ts';

const config: SimConfig = { ...defaultConfig(), timeMs: 10_000, quietMs: 5000 };

/**
 * A store that answers every get with the value the key had before its last write: the logs stay
 * perfect, so no log property can see it — only the clients' history shows it.
 */
class StaleReadStore {
  private readonly inner = new KvStore();
  private readonly previous = new Map<string, string | null>();
  apply(command: Command): KvResult | null {
    if (command.kind === 'kv' && command.op.type !== 'get') {
      this.previous.set(command.op.key, this.inner.get(command.op.key) ?? null);
    }
    const result = this.inner.apply(command);
    if (result?.type === 'get' && command.kind === 'kv' && this.previous.has(command.op.key)) {
      return { type: 'get', value: this.previous.get(command.op.key) ?? null };
    }
    return result;
  }
}

describe('linearizability as a property of every run', () => {
  it('holds for the reference store under default faults', () => {
    for (const seed of [1, 2, 3]) {
      const r = runSeed(seed, config, { checkers: createSafetyCheckers() });
      expect(r.violation).toBeNull();
      expect(r.linearizability?.verdict).toBe('ok');
      expect(r.clientOps.ok).toBeGreaterThan(50);
    }
  });

  it('catches stale reads that no log property sees, and names the read', () => {
    const r = runSeed(1, config, {
      checkers: createSafetyCheckers(),
      createStateMachine: () => new StaleReadStore(),
    });
    expect(r.violation?.property).toBe('linearizability');
    expect(r.violation?.message).toMatch(/not linearizable: .*get/);
    expect(r.linearizability?.verdict).toBe('violation');
  });

  it('can be switched off', () => {
    const r = runSeed(1, config, {
      checkers: createSafetyCheckers(),
      createStateMachine: () => new StaleReadStore(),
      linearizability: false,
    });
    expect(r.violation).toBeNull();
    expect(r.linearizability).toBeNull();
  });
});
