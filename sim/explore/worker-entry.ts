/**
 * How to start a worker thread on one of sim/'s modules, from the TypeScript sources (tests, `npm
 * run sim`: through worker-boot.mjs, which registers tsx's loader, as worker threads do not
 * inherit it) or from the compiled JavaScript in dist/ (the module itself, no loader needed).
 */
export function workerBoot(name: 'sweep-worker' | 'shrink-worker' | 'run-worker'): {
  boot: URL;
  entry: string;
} {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(`./${name}.${fromSource ? 'ts' : 'js'}`, import.meta.url);
  return { boot: fromSource ? new URL('./worker-boot.mjs', import.meta.url) : entry, entry: entry.href };
}
