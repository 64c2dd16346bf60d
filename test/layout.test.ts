import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The layout is the architecture (docs/design.md, "Folders and arrows"): each folder one concern,
 * arrows one way, no cycles. This reads every import of the project's own modules, type-only ones
 * included (a type cycle is still two concerns that cannot be read apart), and checks both.
 */

const root = normalize(join(dirname(fileURLToPath(import.meta.url)), '..'));
const ROOTS = ['src', 'sim', 'properties', 'bugs'];
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function walk(dir: string, out: string[]): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names.sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (/\.(ts|mts|mjs)$/.test(name)) out.push(path);
  }
  return out;
}

function graph(): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const top of ROOTS) {
    for (const file of walk(join(root, top), [])) {
      const src = readFileSync(file, 'utf8');
      const deps: string[] = [];
      for (const m of src.matchAll(IMPORT)) {
        const spec = m[1] ?? m[2]!;
        deps.push(relative(root, normalize(join(dirname(file), spec))));
      }
      g.set(relative(root, file), deps);
    }
  }
  return g;
}

/** One cycle as a path a → b → … → a, or null. */
function findCycle(g: Map<string, string[]>): string[] | null {
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (n: string): string[] | null => {
    state.set(n, 1);
    stack.push(n);
    for (const d of g.get(n) ?? []) {
      if (!g.has(d)) continue;
      if (state.get(d) === 1) return [...stack.slice(stack.indexOf(d)), d];
      if (state.get(d) === undefined) {
        const c = visit(d);
        if (c !== null) return c;
      }
    }
    stack.pop();
    state.set(n, 2);
    return null;
  };
  for (const n of g.keys()) {
    if (state.get(n) === undefined) {
      const c = visit(n);
      if (c !== null) return c;
    }
  }
  return null;
}

/**
 * Folder → the folders its modules may import (its own always; the first matching prefix wins).
 * The same table is drawn in docs/design.md, "Folders and arrows".
 */
const ARROWS: readonly (readonly [folder: string, mayImport: readonly string[]])[] = [
  ['src/', ['src/']],
  ['properties/', ['properties/', 'src/']],
  ['bugs/', ['bugs/', 'src/', 'properties/']],
  ['sim/model/', ['sim/model/', 'src/', 'properties/', 'bugs/']],
  ['sim/engine/', ['sim/engine/', 'sim/model/', 'src/', 'properties/']],
  ['sim/adapters/', ['sim/adapters/', 'sim/engine/', 'sim/model/', 'src/', 'properties/', 'bugs/']],
  [
    'sim/explore/',
    ['sim/explore/', 'sim/adapters/', 'sim/engine/', 'sim/model/', 'src/', 'properties/', 'bugs/'],
  ],
  ['sim/view/', ['sim/view/', 'sim/engine/', 'sim/model/', 'src/', 'properties/', 'bugs/']],
  [
    'sim/scenario/',
    [
      'sim/scenario/',
      'sim/explore/',
      'sim/adapters/',
      'sim/engine/',
      'sim/model/',
      'sim/view/',
      'src/',
      'properties/',
      'bugs/',
    ],
  ],
  ['sim/cli/', ['sim/', 'src/', 'properties/', 'bugs/']],
  ['sim/index.ts', ['sim/', 'src/', 'properties/', 'bugs/']],
];

/**
 * The engine drives any Raft implementation through RaftProcess and a NodeFactory (docs/design.md,
 * "Folders and arrows"): nothing it reaches, however indirectly, is the reference node, its policy
 * or the bug catalogue. Those are bound into a factory one level up, in sim/adapters/.
 */
const ENGINE = 'sim/engine/';
const REFERENCE_INTERNALS = ['src/raft/node.ts', 'src/raft/policy.ts', 'src/raft/index.ts', 'bugs/'];

/** Every module `from` reaches through imports, `from` itself excluded, with one path to each. */
function reachable(g: Map<string, string[]>, from: string): Map<string, string[]> {
  const paths = new Map<string, string[]>();
  const todo: string[][] = [[from]];
  for (let path = todo.pop(); path !== undefined; path = todo.pop()) {
    for (const d of g.get(path[path.length - 1]!) ?? []) {
      if (d === from || paths.has(d)) continue;
      paths.set(d, [...path, d]);
      todo.push([...path, d]);
    }
  }
  return paths;
}

function engineReachesReference(g: Map<string, string[]>): string[] {
  const wrong: string[] = [];
  for (const file of g.keys()) {
    if (!file.startsWith(ENGINE)) continue;
    for (const [d, path] of reachable(g, file)) {
      if (REFERENCE_INTERNALS.some((r) => d.startsWith(r))) wrong.push(path.join(' → '));
    }
  }
  return wrong;
}

describe('layout: arrows one way, no cycles', () => {
  const g = graph();

  it('reads the modules it checks', () => {
    expect(g.size).toBeGreaterThan(50);
    expect(g.get('src/raft/node.ts')).toContain('src/raft/quorum.ts');
  });

  it('has no import cycle', () => {
    expect(findCycle(g)?.join(' → ') ?? null).toBeNull();
  });

  it('finds a cycle when there is one (the check can fail)', () => {
    const g2 = new Map(g);
    g2.set('src/raft/quorum.ts', [...(g.get('src/raft/quorum.ts') ?? []), 'src/raft/node.ts']);
    expect(findCycle(g2)).not.toBeNull();
  });

  it('knows a rule for every module it reads', () => {
    const unruled = [...g.keys()].filter((file) => !ARROWS.some(([folder]) => file.startsWith(folder)));
    expect(unruled).toEqual([]);
  });

  it('keeps the engine apart from the reference node, its policy and the bugs', () => {
    expect(engineReachesReference(g)).toEqual([]);
  });

  it('finds the engine reaching the reference node through another folder (the check can fail)', () => {
    const g2 = new Map(g);
    g2.set('sim/model/config.ts', [...(g.get('sim/model/config.ts') ?? []), 'src/raft/index.ts']);
    expect(engineReachesReference(g2)).toContain(
      'sim/engine/runner.ts → sim/model/config.ts → src/raft/index.ts',
    );
  });

  it('imports only along the allowed arrows', () => {
    const wrong: string[] = [];
    for (const [file, deps] of g) {
      const rule = ARROWS.find(([folder]) => file.startsWith(folder));
      if (rule === undefined) continue;
      for (const d of deps) {
        if (!rule[1].some((allowed) => d.startsWith(allowed))) wrong.push(`${file} → ${d}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
