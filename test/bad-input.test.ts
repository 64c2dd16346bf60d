// Bad input, in a table: every case must end with exit code 2, exactly one line on stderr that
// says what is wrong, no stack trace, nothing on stdout, and the directory it ran in exactly as it
// was (no file created, replaced or left behind, temporary files included).
//
// The command lines run in this process (test/support/cli-in-process.ts), from a sandbox
// directory given as the user's directory (INIT_CWD), so that relative paths are resolved the way
// `npm run sim` resolves them.

import { execFileSync } from 'node:child_process';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveTempFileCount } from '../sim/model/output-file.ts';
import { type CliOutcome, lincheckInProcess, simInProcess } from './support/cli-in-process.ts';

const root = resolve(import.meta.dirname, '..');
const box = mkdtempSync(join(tmpdir(), 'raftsim-bad-input-'));
const isRoot = process.getuid?.() === 0;
const figure8 = join(root, 'scenarios/figure8.json');

// ---------------------------------------------------------------------------------------------
// The sandbox: one of every kind of file a path can name.

mkdirSync(join(box, 'dir'));
mkdirSync(join(box, 'traces'));
mkdirSync(join(box, 'histories'));
writeFileSync(join(box, 'file'), 'a regular file\n');
execFileSync('mkfifo', [join(box, 'fifo')]);
symlinkSync('fifo', join(box, 'link-to-fifo'));
symlinkSync('dir', join(box, 'link-to-dir'));
symlinkSync('/dev/zero', join(box, 'link-to-zero'));
symlinkSync('loop-b', join(box, 'loop-a'));
symlinkSync('loop-a', join(box, 'loop-b'));
if (!isRoot) {
  mkdirSync(join(box, 'readonly'), { mode: 0o555 });
}

/**
 * A character device to write to. As root a private one is made (major 1, minor 3: what
 * /dev/null is), so that a regression replaces a file in the sandbox, not the system's /dev/null;
 * without root, /dev is not writable and /dev/null itself is safe to name.
 */
function makeDevice(): string | null {
  if (!isRoot) return '/dev/null';
  try {
    execFileSync('mknod', [join(box, 'device'), 'c', '1', '3'], { stdio: 'ignore' });
    symlinkSync('device', join(box, 'link-to-device'));
    return 'device';
  } catch {
    return null;
  }
}
const device = makeDevice();

let socketServer: Server | null = null;

// biome-ignore lint/suspicious/noExplicitAny: fixtures edited at arbitrary JSON paths
type Json = Record<string, any>;

/** figure8.json with one edit, saved as traces/<name>.json; returns the relative path. */
function trace(name: string, edit: (j: Json) => unknown): string {
  const j = JSON.parse(readFileSync(figure8, 'utf8'));
  const replaced = edit(j);
  const text =
    typeof replaced === 'string' ? replaced : JSON.stringify(replaced === undefined ? j : replaced);
  writeFileSync(join(box, 'traces', `${name}.json`), text);
  return `traces/${name}.json`;
}

const goodHistory = {
  version: 1,
  ops: [
    {
      id: 0,
      client: 1,
      op: { type: 'put', key: 'k', value: 'a' },
      invokeMs: 0,
      returnMs: 5,
      result: { type: 'put' },
      status: 'ok',
    },
  ],
};

/** A history with one edit, saved as histories/<name>; returns the relative path. */
function history(name: string, edit: (h: Json) => unknown): string {
  const h: Json = structuredClone(goodHistory);
  const replaced = edit(h);
  const text =
    typeof replaced === 'string' ? replaced : JSON.stringify(replaced === undefined ? h : replaced);
  writeFileSync(join(box, 'histories', name), text);
  return `histories/${name}`;
}

// ---------------------------------------------------------------------------------------------
// The table

interface Case {
  readonly name: string;
  readonly tool: 'sim' | 'lincheck';
  readonly args: readonly string[];
  /** A piece of the message that says what or where (the flag, file or field). */
  readonly says: string | RegExp;
  /** The user's directory, under the sandbox (default: the sandbox itself). */
  readonly cwd?: string;
}

const cases: Case[] = [];
const sim = (name: string, args: readonly string[], says: string | RegExp, cwd?: string): void => {
  cases.push({ name, tool: 'sim', args, says, ...(cwd === undefined ? {} : { cwd }) });
};
const lincheck = (name: string, args: readonly string[], says: string | RegExp): void => {
  cases.push({ name, tool: 'lincheck', args, says });
};

// Flags with values out of range or of the wrong kind.
const flagCases: [string, string[], string][] = [
  ['--nodes 0', ['--nodes', '0'], '--nodes'],
  ['--nodes 65', ['--nodes', '65'], '--nodes'],
  ['--nodes abc', ['--nodes', 'abc'], '--nodes'],
  ['--nodes -1', ['--nodes', '-1'], '--nodes'],
  ['--nodes 1.5', ['--nodes', '1.5'], '--nodes'],
  ['--nodes empty', ['--nodes', ''], '--nodes'],
  ['--clients 1001', ['--clients', '1001'], '--clients'],
  ['--clients x', ['--clients', 'x'], '--clients'],
  ['--time 0', ['--time', '0'], '--time'],
  ['--time 0.4ms', ['--time', '0.4ms'], '--time'],
  ['--time 100000s', ['--time', '100000s'], '--time'],
  ['--time 1h', ['--time', '1h'], '--time'],
  ['--time -5s', ['--time', '-5s'], '--time'],
  ['--time 1e9', ['--time', '1e9'], '--time'],
  ['--drop 1.5', ['--drop', '1.5'], '--drop'],
  ['--drop -0.1', ['--drop', '-0.1'], '--drop'],
  ['--drop abc', ['--drop', 'abc'], '--drop'],
  ['--dup 2', ['--dup', '2'], '--dup'],
  ['--delay 5-1', ['--delay', '5-1'], '--delay'],
  ['--delay 1-100000', ['--delay', '1-100000'], '--delay'],
  ['--delay x', ['--delay', 'x'], '--delay'],
  ['--partitions 1001', ['--partitions', '1001'], '--partitions'],
  ['--election-timeout 0-5', ['--election-timeout', '0-5'], '--election-timeout'],
  ['--election-timeout 300-150', ['--election-timeout', '300-150'], '--election-timeout'],
  ['--heartbeat 0', ['--heartbeat', '0'], '--heartbeat'],
  ['--batch 0', ['--batch', '0'], '--batch'],
  ['--routing nearest', ['--routing', 'nearest'], '--routing'],
  ['--lease-drift 1000000', ['--lease-drift', '1000000'], '--lease-drift'],
  ['--clock-drift -1', ['--clock-drift', '-1'], '--clock-drift'],
  ['--hot-key 1.5', ['--hot-key', '1.5'], '--hot-key'],
  ['--keys 0', ['--keys', '0'], '--keys'],
  ['--op-interval 0', ['--op-interval', '0'], '--op-interval'],
  ['--quiet-period x', ['--quiet-period', 'x'], '--quiet-period'],
  ['--quiet-period past --time', ['--quiet-period', '90s', '--time', '10s'], 'quietMs'],
  ['--long-delay 2', ['--long-delay', '2'], '--long-delay'],
  ['--shapes bogus', ['--shapes', 'split,bogus'], '--shapes'],
  ['--down 0-10', ['--down', '0-10'], '--down'],
  ['--partition-length x', ['--partition-length', 'x'], '--partition-length'],
  ['--pause-length 9-1', ['--pause-length', '9-1'], '--pause-length'],
  ['--partitions -1', ['--partitions', '-1'], '--partitions'],
  ['--partitions abc', ['--partitions', 'abc'], '--partitions'],
  [
    '--crashes 2000000 (the gap between faults would round to 0 ms)',
    ['--crashes', '2000000', '--time', '10s'],
    '--crashes',
  ],
  ['--pauses 10000000', ['--pauses', '10000000'], '--pauses'],
  ['--seed 2^32', ['--seed', '4294967296'], '--seed'],
  ['--seed -1', ['--seed', '-1'], '--seed'],
  ['--seed 1.5', ['--seed', '1.5'], '--seed'],
  ['--seed 10^20', ['--seed', '99999999999999999999'], '--seed'],
  ['--seeds 5..1', ['--seeds', '5..1'], '--seeds'],
  ['--seeds reaching 2^32', ['--seeds', '1..4294967296'], '--seeds'],
  ['--seeds above 2^32', ['--seeds', '4294967296..4294967297'], '--seeds'],
  ['--seeds abc', ['--seeds', 'abc'], '--seeds'],
  ['--seeds too many', ['--seeds', '1..2000000'], '--seeds'],
  ['--workers 0', ['--seeds', '1..2', '--workers', '0'], '--workers'],
  ['--workers 257', ['--seeds', '1..2', '--workers', '257'], '--workers'],
  ['--seed with --seeds', ['--seed', '1', '--seeds', '1..2'], '--seeds'],
  ['--trace in a sweep', ['--seeds', '1..2', '--trace', 't.jsonl'], '--trace'],
  ['--history in a sweep', ['--seeds', '1..2', '--history', 'h.json'], '--history'],
  ['--save in a sweep', ['--seeds', '1..2', '--save', 's.json'], '--save'],
  ['--out in a sweep', ['--seeds', '1..2', '--out', 'o.json'], '--out'],
  ['--format in a sweep', ['--seeds', '1..2', '--format', 'text'], '--format'],
  ['--profile nope', ['--profile', 'nope'], '--profile'],
  ['--bug nope', ['--bug', 'nope'], 'nope'],
  ['--read-mode nope', ['--read-mode', 'nope'], '--read-mode'],
  ['--format nope', ['--format', 'nope'], '--format'],
  ['--shrink-budget abc', ['--shrink-budget', 'abc'], '--shrink-budget'],
  ['--shrink-budget 0', ['--shrink-budget', '0'], '--shrink-budget'],
  ['--shrink-budget 10^12 runs', ['--shrink-budget', '1000000000000'], '--shrink-budget'],
  ['--shrink-budget 1000m', ['--shrink-budget', '1000m'], '--shrink-budget'],
  ['--max-input-mb 0', ['--replay', figure8, '--max-input-mb', '0'], '--max-input-mb'],
  ['--max-input-mb 513', ['--replay', figure8, '--max-input-mb', '513'], '--max-input-mb'],
  ['--max-input-mb abc', ['--replay', figure8, '--max-input-mb', 'abc'], '--max-input-mb'],
  ['--max-input-mb without --replay', ['--max-input-mb', '4'], '--max-input-mb'],
  ['--replay with --seed', ['--replay', figure8, '--seed', '1'], '--replay'],
  ['--replay with --nodes', ['--replay', figure8, '--nodes', '3'], '--replay'],
  ['an unknown flag', ['--frobnicate'], '--frobnicate'],
  ['an extra argument', ['extra-arg'], 'extra-arg'],
  ['a flag without its value', ['--seed'], '--seed'],
  ['clients × time beyond the op bound', ['--clients', '1000', '--time', '60s'], 'client ops'],
  ['a day of ops', ['--time', '1440m'], 'client ops'],
  ['a day of crash storms', ['--crashes', '1000', '--time', '1440m', '--clients', '0'], 'faults'],
  [
    '64 nodes in a partition storm',
    ['--nodes', '64', '--partitions', '1000', '--time', '600s', '--clients', '0'],
    'faults',
  ],
  ['--shard 4/4', ['--seeds', '1..8', '--shard', '4/4', '--results', 'new'], '--shard'],
  ['--shard 1-4', ['--seeds', '1..8', '--shard', '1-4', '--results', 'new'], '--shard'],
  [
    '--shards without JOB_COMPLETION_INDEX',
    ['--seeds', '1..8', '--shards', '4', '--results', 'new'],
    '--shards',
  ],
  ['--results with --seed', ['--seed', '1', '--results', 'new'], '--results'],
  ['--results naming a file', ['--seeds', '1..2', '--results', 'file'], '--results'],
  ['--results empty', ['--seeds', '1..2', '--results', ''], '--results'],
  ['merge without results', ['merge'], 'merge'],
  ['merge of a missing directory', ['merge', 'nowhere'], 'nowhere'],
  ['merge of a trace file', ['merge', figure8], 'format'],
  ['fuzz without a budget', ['fuzz', '--results', 'new'], 'budget'],
  ['fuzz --for 8', ['fuzz', '--for', '8', '--results', 'new'], '--for'],
  ['fuzz --canary nope', ['fuzz', '--for', '1m', '--results', 'new', '--canary', 'nope'], '--canary'],
];
for (const [name, args, says] of flagCases) sim(name, args, says);

// Output paths, for each flag that writes a file: anything but a regular file or a new path.
const outputPaths: [string, string, string | RegExp][] = [
  ['a directory', 'dir', 'a directory'],
  ['a FIFO', 'fifo', 'FIFO'],
  ['a socket', 'socket', 'a socket'],
  ['a symlink to a FIFO', 'link-to-fifo', 'FIFO'],
  ['a symlink to a directory', 'link-to-dir', 'a directory'],
  ['a symlink loop', 'loop-a', 'symbolic links'],
  ['an empty path', '', 'empty'],
  ['a missing parent directory', 'nodir/x.json', 'no such directory'],
  ['a file as the parent', 'file/x.json', 'not a directory'],
  ['a trailing slash', 'dir/', 'names a directory'],
  ['the current directory', '.', 'names a directory'],
  ['a name too long for the file system', 'n'.repeat(300), 'too long'],
];
if (device !== null) {
  outputPaths.push(['a character device', device, 'character device']);
  if (device === 'device') outputPaths.push(['a symlink to a device', 'link-to-device', 'character device']);
}
if (!isRoot) outputPaths.push(['no permission', 'readonly/x.json', 'permission denied']);
for (const flag of ['--trace', '--out', '--history', '--save']) {
  for (const [what, path, says] of outputPaths) {
    sim(`${flag} to ${what}`, ['--seed', '1', '--time', '1s', flag, path], says);
  }
}
writeFileSync(join(box, 'input.json'), readFileSync(figure8));
symlinkSync('input.json', join(box, 'link-to-input.json'));
for (const flag of ['--trace', '--history', '--save', '--out']) {
  sim(
    `${flag} replacing the --replay file`,
    ['--replay', 'input.json', flag, 'input.json'],
    '--replay reads',
  );
  sim(
    `${flag} replacing the --replay file through a symlink`,
    ['--replay', 'input.json', flag, 'link-to-input.json'],
    '--replay reads',
  );
}

// raftsim view and the HTML view of a run: bad windows, bad places for the page, no file left.
for (const [what, path, says] of outputPaths) {
  sim(`view --out to ${what}`, ['view', 'input.json', '--out', path], says);
  sim(`--view-out to ${what}`, ['--seed', '1', '--time', '1s', '--format', 'html', '--view-out', path], says);
}
const viewCases: [string, string[], string | RegExp][] = [
  ['view without a file', ['view'], "missing required argument 'file'"],
  ['view of a missing file', ['view', 'missing.json'], 'no such file'],
  ['view of a JSON Lines trace', ['view', 'traces/events.jsonl'], 'events.jsonl'],
  ['view --out replacing the trace', ['view', 'input.json', '--out', 'link-to-input.json'], 'being viewed'],
  ['view --nodes 9 of 5', ['view', 'input.json', '--nodes', '1,9'], '--nodes'],
  ['view --nodes x', ['view', 'input.json', '--nodes', 'x'], '--nodes'],
  ['view --from after --to', ['view', 'input.json', '--from', '2s', '--to', '1s'], '--to'],
  ['view --from abc', ['view', 'input.json', '--from', 'abc'], '--from'],
  ['view --format svg', ['view', 'input.json', '--format', 'svg'], '--format'],
  ['view with an unknown bug set', ['view', 'input.json', '--bug', 'forget-vote'], 'no expectation'],
  ['--from without --format', ['--seed', '1', '--from', '1s'], '--format'],
  [
    '--view-out without --format html',
    ['--seed', '1', '--format', 'text', '--view-out', 'x.html'],
    '--format html',
  ],
  ['--view-nodes beyond the nodes', ['--seed', '1', '--format', 'text', '--view-nodes', '6'], '--view-nodes'],
  [
    '--view-out replacing the --replay file',
    ['--replay', 'input.json', '--format', 'html', '--view-out', 'input.json'],
    '--replay reads',
  ],
];
for (const [what, args, says] of viewCases) sim(what, args, says);

// The default place for failing runs, checked before any run: failures/ must be a directory.
mkdirSync(join(box, 'cwd-failures-file'));
writeFileSync(join(box, 'cwd-failures-file/failures'), 'not a directory\n');
mkdirSync(join(box, 'cwd-failures-fifo'));
execFileSync('mkfifo', [join(box, 'cwd-failures-fifo/failures')]);
mkdirSync(join(box, 'cwd-failures-link'));
symlinkSync('../file', join(box, 'cwd-failures-link/failures'));
for (const where of ['file', 'fifo', 'link']) {
  sim(`failures/ is a ${where}`, ['--seed', '1', '--time', '1s'], "'failures/'", `cwd-failures-${where}`);
  sim(`failures/ is a ${where}, in a sweep`, ['--seeds', '1..2'], "'failures/'", `cwd-failures-${where}`);
}
sim(
  '--history and --save naming one file',
  ['--seed', '1', '--history', 'same.json', '--save', 'same.json'],
  '--save',
);
sim(
  '--trace and --save naming one file through a symlink',
  ['--seed', '1', '--trace', 'file', '--save', 'file'],
  '--save',
);

// --replay inputs: anything but a regular trace file within the size limit.
const inputPaths: [string, string, string | RegExp][] = [
  ['a FIFO (must not block)', 'fifo', 'FIFO'],
  ['a symlink to a FIFO', 'link-to-fifo', 'FIFO'],
  ['a directory', 'dir', 'a directory'],
  ['/dev/zero (must not grow without bound)', '/dev/zero', 'character device'],
  ['a symlink to /dev/zero', 'link-to-zero', 'character device'],
  ['a socket', 'socket', 'socket'],
  ['a missing file', 'missing.json', 'no such file'],
  ['a name too long for the file system', 'n'.repeat(300), 'too long'],
  ['an empty path', '', 'empty'],
];
for (const [what, path, says] of inputPaths) {
  sim(`--replay of ${what}`, ['--replay', path], says);
  lincheck(`lincheck of ${what}`, [path], says);
}

// Trace files: malformed, truncated, huge, and a wrong type or value at every level.
writeFileSync(join(box, 'traces/empty.json'), '');
writeFileSync(join(box, 'traces/binary.json'), Buffer.from([0xff, 0x00, 0xfe, 0x7b, 0x01]));
writeFileSync(
  join(box, 'traces/huge.json'),
  `{"format": "raftsim-trace", "pad": "${'x'.repeat(1_200_000)}"}`,
);
writeFileSync(
  join(box, 'traces/events.jsonl'),
  '{"step":1,"t":0,"ev":"fault","fault":{"type":"heal"}}\n{"step":2,"t":7,"ev":"client-op","client":4}\n',
);
/** `value` set at the JSON `path` (dots and [n]) of figure8.json; undefined removes the field. */
function traceWith(name: string, path: string, value: unknown): string {
  return trace(name, (j) => setPath(j, path, value));
}

function setPath(json: Json, path: string, value: unknown): void {
  const keys = path.split(/\.|\[(\d+)\]/).filter((k) => k !== undefined && k !== '');
  let at: Json = json;
  for (const key of keys.slice(0, -1)) at = at[key];
  const last = keys[keys.length - 1]!;
  if (value === undefined) delete at[last];
  else at[last] = value;
}

const traceCases: [string, string, string | RegExp][] = [
  ['an empty file', 'traces/empty.json', 'not valid JSON'],
  ['binary garbage', 'traces/binary.json', 'not valid JSON'],
  ['a JSON Lines event trace', 'traces/events.jsonl', 'JSON Lines event trace'],
  [
    'a one-line JSON Lines event trace',
    trace('one-event', () => '{"step":1,"t":0,"ev":"timer","node":1}\n'),
    'JSON Lines event trace',
  ],
  ['a client history', trace('history', () => JSON.stringify(goodHistory)), 'this is a client history'],
  [
    'a truncated file',
    trace('truncated', () => readFileSync(figure8, 'utf8').slice(0, 300)),
    'not valid JSON',
  ],
  ['a JSON array', trace('array', () => '[1, 2]'), 'one JSON object'],
  ['JSON null', trace('null', () => 'null'), 'one JSON object'],
  ['a JSON number', trace('number', () => '42'), 'one JSON object'],
];
const traceEdits: [string, string, unknown, string][] = [
  ['another format', 'format', 'jepsen', 'format'],
  ['no format', 'format', undefined, 'format'],
  ['version 2', 'version', 2, 'version'],
  ['version as a string', 'version', '1', 'version'],
  ['a numeric comment', 'comment', 7, 'comment'],
  ['a comment of 200 000 characters', 'comment', 'c'.repeat(200_000), 'comment'],
  ['an unknown top-level field', 'extra', true, 'extra'],
  ['a schedule string', 'schedule', 'x', 'schedule'],
  ['no schedule', 'schedule', undefined, 'schedule'],
  ['a negative seed', 'schedule.seed', -1, 'schedule.seed'],
  ['a seed string', 'schedule.seed', '7', 'schedule.seed'],
  ['a seed of 2^32', 'schedule.seed', 2 ** 32, 'schedule.seed'],
  ['schedule version 2', 'schedule.version', 2, 'schedule.version'],
  ['a config array', 'schedule.config', [], 'schedule.config'],
  ['nodes 0', 'schedule.config.nodes', 0, 'nodes'],
  ['nodes 65', 'schedule.config.nodes', 65, 'nodes'],
  ['nodes 1.5', 'schedule.config.nodes', 1.5, 'nodes'],
  ['a time of 10^12 ms', 'schedule.config.timeMs', 1e12, 'timeMs'],
  ['a crash rate of 10^6 per minute', 'schedule.config.faults.crashesPerMin', 1e6, 'crashesPerMin'],
  ['a negative pause rate', 'schedule.config.faults.pausesPerMin', -1, 'pausesPerMin'],
  ['a drop rate of 2', 'schedule.config.network.dropRate', 2, 'dropRate'],
  ['a raft section string', 'schedule.config.raft', 'fast', 'raft'],
  ['an unknown read mode', 'schedule.config.raft.readMode', 'psychic', 'readMode'],
  ['a huge op rate', 'schedule.config.clientsCfg.opIntervalMsMean', 0.001, 'opIntervalMsMean'],
  ['an unknown routing', 'schedule.config.clientsCfg.routing', 'nearest', 'routing'],
  ['a hot-key share of 2', 'schedule.config.clientsCfg.hotKeyShare', 2, 'hotKeyShare'],
  ['a heartbeat of 0', 'schedule.config.raft.heartbeatMs', 0, 'heartbeatMs'],
  ['a batch of 0', 'schedule.config.raft.maxEntriesPerAppend', 0, 'maxEntriesPerAppend'],
  ['a negative lease drift', 'schedule.config.raft.leaseDriftPpm', -1, 'leaseDriftPpm'],
  ['an election timeout of 0', 'schedule.config.raft.electionTimeoutMsMin', 0, 'electionTimeoutMsMin'],
  ['a quiet period past the end', 'schedule.config.quietMs', 1e8, 'quietMs'],
  ['faults as an object', 'schedule.faults', {}, 'faults'],
  ['a fault of an unknown type', 'schedule.faults[0]', { atMs: 1, type: 'meteor' }, 'faults[0]'],
  ['a fault at a negative time', 'schedule.faults[0].atMs', -5, 'faults[0]'],
  ['a crash of node 99', 'schedule.faults[0]', { atMs: 1, type: 'crash', node: 99 }, 'faults[0]'],
  [
    'a partition group of strings',
    'schedule.faults[0]',
    { atMs: 1, type: 'partition', groups: [['a']] },
    'faults[0]',
  ],
  ['ops null', 'schedule.ops', null, 'ops'],
  ['an op of client 0', 'schedule.ops[0].client', 0, 'ops[0]'],
  ['an op of an unknown type', 'schedule.ops[0].op', { type: 'delete', key: 'k' }, 'ops[0]'],
  ['an op key number', 'schedule.ops[0].op.key', 5, 'ops[0]'],
  ['ops with no clients', 'schedule.config.clients', 0, 'ops[0]'],
  ['no expectations', 'expectations', [], 'expectations'],
  ['an unknown bug', 'expectations[0].bugs', ['gremlins'], 'gremlins'],
  ['an unknown outcome status', 'expectations[0].outcome', { status: 'maybe' }, 'expectations[0]'],
  [
    'a step string',
    'expectations[0].outcome',
    { status: 'violation', property: 'assertion', step: 'x', timeMs: 1 },
    'step',
  ],
  ['no meta', 'meta', undefined, 'meta'],
  ['meta.command a number', 'meta.command', 1, 'meta.command'],
];
traceEdits.forEach(([what, path, value, says], i) => {
  traceCases.push([what, traceWith(`edit-${i}`, path, value), says]);
});
for (const [what, path, says] of traceCases) sim(`--replay of ${what}`, ['--replay', path], says);
sim(
  '--replay of a file above --max-input-mb',
  ['--replay', 'traces/huge.json', '--max-input-mb', '1'],
  '1 MiB',
);

// Histories for lincheck.
writeFileSync(join(box, 'histories/huge.json'), `{"version": 1, "pad": "${'x'.repeat(1_200_000)}"}`);
const historyCases: [string, string[], string | RegExp][] = [
  ['above --max-input-mb', ['histories/huge.json', '--max-input-mb', '1'], '1 MiB'],
  ['--max-input-mb 0', [history('good.json', () => undefined), '--max-input-mb', '0'], '--max-input-mb'],
  ['--budget 0', ['histories/good.json', '--budget', '0'], '--budget'],
  ['--budget abc', ['histories/good.json', '--budget', 'abc'], '--budget'],
  ['--budget 10^10', ['histories/good.json', '--budget', '10000000000'], '--budget'],
  ['no file', [], 'file'],
  ['truncated JSON', [history('truncated.json', () => '{"version": 1, "ops": [')], 'not valid JSON'],
  ['no version', [history('no-version.json', () => '{"ops": []}')], 'version'],
  ['an empty file', [history('empty.edn', () => '')], 'the file is empty'],
  ['a file of blank lines', [history('blank.json', () => '\n  \n')], 'the file is empty'],
  ['EDN garbage', [history('garbage.edn', () => '{:type :ok, :f\n')], 'garbage.edn'],
  ['a raftsim trace file', [figure8], 'this is a raftsim trace file'],
  ['a JSON Lines event trace', ['traces/events.jsonl'], 'JSON Lines event trace'],
];
const historyEdits: [string, string, unknown, string][] = [
  ['version 9', 'version', 9, 'version'],
  ['ops a string', 'ops', 'none', 'ops'],
  ['a negative id', 'ops[0].id', -1, 'id'],
  ['an unknown status', 'ops[0].status', 'maybe', 'status'],
  ['an unknown op type', 'ops[0].op', { type: 'del', key: 'k' }, 'op'],
  ['invokeMs a string', 'ops[0].invokeMs', 'now', 'invokeMs'],
  ['a result of another type', 'ops[0].result', { type: 'get', value: null }, 'result'],
  ['a return before its invoke', 'ops[0].invokeMs', 9, 'returnMs'],
];
historyEdits.forEach(([what, path, value, says], i) => {
  historyCases.push([what, [history(`edit-${i}.json`, (h) => setPath(h, path, value))], says]);
});
for (const [what, args, says] of historyCases) lincheck(`lincheck: ${what}`, args, says);

// ---------------------------------------------------------------------------------------------

/** Everything in the sandbox: path, kind, size and link target; a change is a file created or touched. */
function snapshot(): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const st = lstatSync(path);
      const kind = st.isSymbolicLink()
        ? `-> ${readlinkSync(path)}`
        : st.isDirectory()
          ? 'dir'
          : st.isFIFO()
            ? 'fifo'
            : st.isSocket()
              ? 'socket'
              : st.isCharacterDevice()
                ? 'chardev'
                : `file ${st.size} ${st.mtimeMs}`;
      out.push(`${rel}${name} ${kind}`);
      if (st.isDirectory() && !st.isSymbolicLink()) walk(path, `${rel}${name}/`);
    }
  };
  walk(box, '');
  return out;
}

function checkOneLine(r: CliOutcome, says: string | RegExp): void {
  expect(r.thrown, String((r.thrown as Error | null)?.stack)).toBe(null);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.endsWith('\n')).toBe(true);
  const lines = r.stderr.slice(0, -1).split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr).toMatch(/^(raftsim|lincheck): /);
  if (typeof says === 'string') expect(r.stderr).toContain(says);
  else expect(r.stderr).toMatch(says);
}

beforeAll(async () => {
  socketServer = createServer();
  await new Promise<void>((done) => socketServer!.listen(join(box, 'socket'), done));
});

afterAll(async () => {
  await new Promise<void>((done) => (socketServer === null ? done() : socketServer.close(() => done())));
  rmSync(box, { recursive: true, force: true });
});

describe('bad input: exit 2, one line, no stack, nothing written', () => {
  it('has at least 100 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(100);
  });

  it.each(cases.map((c) => [`${c.tool} ${c.name}`, c] as const))('%s', async (_name, c) => {
    const before = snapshot();
    const cwd = c.cwd === undefined ? box : join(box, c.cwd);
    const r = c.tool === 'sim' ? await simInProcess(c.args, cwd) : lincheckInProcess(c.args, cwd);
    checkOneLine(r, c.says);
    expect(snapshot()).toEqual(before);
    expect(liveTempFileCount()).toBe(0);
  });
});
