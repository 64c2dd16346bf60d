// Which 6.5840 scenario catches which catalogue bug: every scenario of this directory run once with
// each bug switched on, the table written into README.md between its markers.
//
//   npx tsx scenarios/6.5840/catch-table.ts           # rewrite the table in README.md
//   npx tsx scenarios/6.5840/catch-table.ts --check   # write nothing; exit 1 if the table would change
//
// A scenario "catches" a bug when it fails with the bug on (a property violated, an assertion, or
// one of its own expectations), having passed without it. Runs are deterministic, so the table is
// too; run it again when the node, a bug or a scenario changes.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUGS } from '../../bugs/index.ts';
import { loadScenario, runScenario } from '../../sim/scenario/run.ts';

const DIR = import.meta.dirname;
const README = join(DIR, 'README.md');
const BEGIN = '<!-- catch-table:begin -->';
const END = '<!-- catch-table:end -->';

function needsText(requires: (typeof BUGS)[number]['requires']): string {
  if (requires === undefined) return '';
  const needs: string[] = [];
  if (requires.preVote === true) needs.push('PreVote');
  if (requires.readModes !== undefined) needs.push(`read mode ${requires.readModes.join('/')}`);
  if (requires.checkQuorumOff === true) needs.push('CheckQuorum off');
  if (requires.membership === true) needs.push('membership changes');
  if (requires.compaction === true) needs.push('log compaction (the 3D ports)');
  return needs.join(', ');
}

/** The table: one row per bug, the scenarios that catch it and what they reported. */
export function catchTable(): string {
  const files = readdirSync(DIR)
    .filter((f) => f.endsWith('.scn'))
    .sort();
  const scenarios = files.map((f) => {
    const s = loadScenario(join(DIR, f));
    if (typeof s === 'string') throw new Error(s);
    return { name: f.replace(/\.scn$/, ''), s };
  });
  const lines = [`| bug | caught by (what failed) | |`, '| --- | --- | --- |'];
  let caughtBugs = 0;
  for (const bug of BUGS) {
    const caught: string[] = [];
    for (const { name, s } of scenarios) {
      const r = runScenario({ ...s, file: name }, { bugs: [bug.name], trace: false });
      if (typeof r === 'string') throw new Error(r);
      if (r.ok) continue;
      const what = r.outcome.status === 'violation' ? r.outcome.property : `line ${r.failure!.line}`;
      caught.push(`${name.replace(/^Test/, '')} (${what})`);
    }
    if (caught.length > 0) caughtBugs++;
    const needs = needsText(bug.requires);
    lines.push(
      `| ${bug.name} | ${caught.length === 0 ? '—' : caught.join(', ')} | ${needs === '' ? '' : `needs ${needs}`} |`,
    );
  }
  lines.push(
    '',
    `${caughtBugs} of ${BUGS.length} catalogue bugs caught by at least one of ${scenarios.length} scenarios.`,
  );
  return lines.join('\n');
}

/** The table as README.md holds it now, between the markers. */
export function savedCatchTable(): string {
  const readme = readFileSync(README, 'utf8');
  const from = readme.indexOf(BEGIN);
  const to = readme.indexOf(END);
  if (from < 0 || to < from) throw new Error(`${README}: no ${BEGIN} ... ${END} markers`);
  return readme.slice(from + BEGIN.length + 1, to - 1);
}

function main(): void {
  const check = process.argv.includes('--check');
  const readme = readFileSync(README, 'utf8');
  const from = readme.indexOf(BEGIN);
  const to = readme.indexOf(END);
  const next = `${readme.slice(0, from + BEGIN.length)}\n${catchTable()}\n${readme.slice(to)}`;
  if (check) {
    if (next !== readme) {
      process.stdout.write('the catch table in scenarios/6.5840/README.md is out of date\n');
      process.exitCode = 1;
    }
    return;
  }
  writeFileSync(README, next);
  process.stdout.write(`wrote ${README}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
