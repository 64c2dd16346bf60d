#!/usr/bin/env node
// The `raftsim` executable (package.json `bin`, compiled to dist/sim/cli/bin.js by `npm run build`,
// which `prepare` runs on install). It stays small: `raftsim --version` must answer without
// loading the simulator, the checkers or zod, so everything else is imported only when needed.
//
//   raftsim [options]            the simulator (sim/cli/main.ts; `npm run sim -- [options]`)
//   raftsim lincheck FILE ...    the linearizability checker (sim/cli/lincheck.ts)
//   raftsim merge DIR ...        results files of a sharded sweep, merged (sim/cli/shards.ts)
//   raftsim fuzz --for 8h ...    continuous fuzzing (sim/cli/fuzz.ts); both go through main.ts

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const { raftsimVersion } = await import('./version.ts');
  process.stdout.write(`${raftsimVersion()}\n`);
} else if (args[0] === 'lincheck') {
  const { lincheckMain } = await import('./lincheck.ts');
  process.exitCode = lincheckMain(args.slice(1));
} else {
  const { startCli } = await import('./main.ts');
  startCli(args);
}
