/**
 * The determinism fence: while a simulated run executes, every source of nondeterminism a
 * careless line of code might reach for throws instead of quietly making the run
 * irreproducible. Synchronous functions only (a run is synchronous by design).
 */

type Patch = { readonly target: object; readonly key: string; readonly name: string };

const PATCHES: readonly Patch[] = [
  { target: Math, key: 'random', name: 'Math.random' },
  { target: Date, key: 'now', name: 'Date.now' },
  { target: globalThis.performance, key: 'now', name: 'performance.now' },
  { target: globalThis, key: 'setTimeout', name: 'setTimeout' },
  { target: globalThis, key: 'setInterval', name: 'setInterval' },
  { target: globalThis, key: 'setImmediate', name: 'setImmediate' },
  { target: process, key: 'hrtime', name: 'process.hrtime' },
];

let depth = 0;

function tripwire(name: string): () => never {
  const fn = () => {
    throw new Error(`determinism fence: ${name} called during a simulated run`);
  };
  // process.hrtime.bigint hangs off the function it replaces.
  if (name === 'process.hrtime') {
    Object.defineProperty(fn, 'bigint', { value: tripwire('process.hrtime.bigint') });
  }
  return fn;
}

/** Runs `fn` with the fence up and takes it down afterwards, also when `fn` throws. Nests. */
export function withFence<T>(fn: () => T): T {
  if (depth > 0) return fn();
  const saved: (PropertyDescriptor | undefined)[] = [];
  for (const p of PATCHES) {
    const own = Object.getOwnPropertyDescriptor(p.target, p.key);
    // Undefined when the property is inherited (performance.now lives on the prototype).
    saved.push(own);
    Object.defineProperty(p.target, p.key, {
      value: tripwire(p.name),
      configurable: true,
      writable: true,
      enumerable: false,
    });
  }
  depth++;
  try {
    const result = fn();
    if (typeof (result as { then?: unknown } | null)?.then === 'function') {
      throw new Error('determinism fence: withFence takes a synchronous function');
    }
    return result;
  } finally {
    depth--;
    PATCHES.forEach((p, i) => {
      const own = saved[i];
      if (own === undefined) {
        delete (p.target as Record<string, unknown>)[p.key];
      } else {
        Object.defineProperty(p.target, p.key, own);
      }
    });
  }
}

/** True while a fence is up. */
export function fenceActive(): boolean {
  return depth > 0;
}
