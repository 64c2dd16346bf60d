import { readFileSync } from 'node:fs';

/**
 * raftsim's version, from package.json: two levels up from sim/cli/ in the sources, three from
 * dist/sim/cli/ in the compiled build. Light on purpose: `raftsim --version` loads only this.
 */
export function raftsimVersion(): string {
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (pkg.name === 'raftsim' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // Not there: the other layout.
    }
  }
  return 'unknown';
}
