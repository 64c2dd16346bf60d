// Replays every saved trace 100 times (or the count given) and reports, per expectation, how
// many replays matched and how many distinct trace hashes the runs produced (1 = byte-identical).
// The hashes are printed, so two runs of the script (two processes) can be compared too:
//
//   npx tsx scenarios/replay-100.ts [times]

import { readdirSync } from 'node:fs';
import { createSafetyCheckers } from '../properties/index.ts';
import { compareOutcome, outcomeOf } from '../sim/explore/replay.ts';
import { runSchedule } from '../sim/explore/run.ts';
import { readTraceFile } from '../sim/model/trace-file.ts';

const times = Number(process.argv[2] ?? 100);
const root = new URL('..', import.meta.url).pathname;
const files = ['scenarios', 'scenarios/bugs'].flatMap((dir) =>
  readdirSync(`${root}${dir}`)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => `${dir}/${f}`),
);

let allMatched = true;
for (const file of files) {
  const trace = readTraceFile(`${root}${file}`);
  for (const e of trace.expectations) {
    let matched = 0;
    const hashes = new Set<string>();
    for (let i = 0; i < times; i++) {
      const result = runSchedule(trace.schedule, {
        bugs: e.bugs,
        checkers: createSafetyCheckers(),
        onTrace: () => {},
      });
      if (compareOutcome(e.outcome, outcomeOf(result)) === null) matched++;
      hashes.add(result.traceHash ?? '');
    }
    if (matched !== times || hashes.size !== 1) allMatched = false;
    const what = e.outcome.status === 'ok' ? 'all hold' : `${e.outcome.property} at step ${e.outcome.step}`;
    process.stdout.write(
      `${file} [${e.bugs.join(', ')}] ${what}: ${matched}/${times} matched, ` +
        `${hashes.size} distinct trace hash (${[...hashes].map((h) => h.slice(0, 12)).join(', ')})\n`,
    );
  }
}
process.exitCode = allMatched ? 0 : 1;
