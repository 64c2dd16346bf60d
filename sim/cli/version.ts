import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

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

/**
 * The git commit raftsim runs from, for results files (two builds' results are never merged):
 * RAFTSIM_COMMIT when set (a container image built without .git), else `git rev-parse HEAD` in
 * the package's directory, else 'unknown'. Asked once, outside any run.
 */
let commit: string | undefined;
export function raftsimCommit(): string {
  if (commit !== undefined) return commit;
  const given = process.env.RAFTSIM_COMMIT;
  if (given !== undefined && given !== '') {
    commit = given;
    return commit;
  }
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: fileURLToPath(new URL('.', import.meta.url)),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    }).trim();
    commit = /^[0-9a-f]{40,64}$/.test(out) ? out : 'unknown';
  } catch {
    commit = 'unknown';
  }
  return commit;
}
