import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../sim/cli/usage.ts';
import { readInputFile } from '../sim/model/input-file.ts';
import {
  AtomicOutput,
  checkOutputPath,
  liveTempFileCount,
  removeTempFiles,
  userPath,
  writeOutputFile,
} from '../sim/model/output-file.ts';

const top = mkdtempSync(join(tmpdir(), 'raftsim-output-file-'));
const isRoot = process.getuid?.() === 0;
let dir = '';
let n = 0;
const initCwd = process.env.INIT_CWD;

beforeEach(() => {
  dir = join(top, `case-${n++}`);
  mkdirSync(dir);
  // Relative paths in these tests are the user's: resolved against INIT_CWD, as under npm.
  process.env.INIT_CWD = dir;
});

afterEach(() => {
  removeTempFiles();
  if (initCwd === undefined) delete process.env.INIT_CWD;
  else process.env.INIT_CWD = initCwd;
});

afterAll(() => rmSync(top, { recursive: true, force: true }));

/** The one-line UsageError `f` throws. */
function usageError(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected a UsageError');
}

function write(path: string, text: string, opts: { createParent?: boolean } = {}): void {
  writeOutputFile(checkOutputPath('--out', path, opts), text);
}

describe('output paths: resolution', () => {
  it('resolves a relative path against INIT_CWD (the directory npm was started in)', () => {
    write('here.jsonl', 'x\n');
    expect(readFileSync(join(dir, 'here.jsonl'), 'utf8')).toBe('x\n');
    expect(userPath('a/b.json')).toBe(join(dir, 'a/b.json'));
  });

  it('falls back to the process directory without INIT_CWD', () => {
    delete process.env.INIT_CWD;
    expect(userPath('a.json')).toBe(join(process.cwd(), 'a.json'));
    process.env.INIT_CWD = '';
    expect(userPath('a.json')).toBe(join(process.cwd(), 'a.json'));
  });
});

describe('output paths: what is refused, with nothing created', () => {
  it('refuses a directory', () => {
    mkdirSync(join(dir, 'd'));
    expect(usageError(() => checkOutputPath('--trace', 'd'))).toBe(
      "--trace: cannot write 'd': it is a directory, not a regular file",
    );
  });

  it('refuses a FIFO without opening it (opening would block)', () => {
    execFileSync('mkfifo', [join(dir, 'p')]);
    expect(usageError(() => checkOutputPath('--trace', 'p'))).toContain('FIFO');
    expect(lstatSync(join(dir, 'p')).isFIFO()).toBe(true);
    expect(readdirSync(dir)).toEqual(['p']);
  });

  it('refuses a character device, directly or through a symlink', () => {
    // As root a private device stands in for /dev/null, so that a regression cannot break the system.
    let device = '/dev/null';
    if (isRoot) {
      try {
        execFileSync('mknod', [join(dir, 'null'), 'c', '1', '3'], { stdio: 'ignore' });
        device = join(dir, 'null');
      } catch {
        return; // no mknod here (a container without the capability): nothing safe to test with
      }
    }
    symlinkSync(device, join(dir, 'link'));
    expect(usageError(() => checkOutputPath('--trace', device))).toContain('a character device');
    expect(usageError(() => checkOutputPath('--trace', 'link'))).toContain('a character device');
    expect(lstatSync(device).isCharacterDevice()).toBe(true);
    expect(readlinkSync(join(dir, 'link'))).toBe(device);
  });

  it('refuses an empty path, a trailing slash, . and ..', () => {
    expect(usageError(() => checkOutputPath('--save', ''))).toBe('--save: the file name is empty');
    for (const p of ['x/', '.', '..', 'a/..']) {
      expect(usageError(() => checkOutputPath('--save', p))).toContain('names a directory');
    }
  });

  it('refuses a missing parent directory, and creates it only when asked to', () => {
    expect(usageError(() => checkOutputPath('--out', 'no/such/x.json'))).toBe(
      "--out: cannot write 'no/such/x.json': no such directory 'no/such'",
    );
    expect(readdirSync(dir)).toEqual([]);
    write('failures/x.json', '{}\n', { createParent: true });
    expect(readFileSync(join(dir, 'failures/x.json'), 'utf8')).toBe('{}\n');
  });

  it('refuses a parent that is a file', () => {
    writeFileSync(join(dir, 'f'), '');
    expect(usageError(() => checkOutputPath('--out', 'f/x.json'))).toContain('not a directory');
  });

  it.skipIf(isRoot)('refuses a directory or file without write permission', () => {
    mkdirSync(join(dir, 'ro'), { mode: 0o555 });
    expect(usageError(() => checkOutputPath('--out', 'ro/x.json'))).toContain('permission denied');
    writeFileSync(join(dir, 'ro-file'), 'keep', { mode: 0o444 });
    expect(usageError(() => checkOutputPath('--out', 'ro-file'))).toContain('permission denied');
    chmodSync(join(dir, 'ro'), 0o755);
  });

  it('refuses a symlink loop', () => {
    symlinkSync('b', join(dir, 'a'));
    symlinkSync('a', join(dir, 'b'));
    expect(usageError(() => checkOutputPath('--out', 'a'))).toContain('too many symbolic links');
  });
});

describe('output paths: symlinks are written through, never replaced', () => {
  it('replaces the target of a symlink and keeps the link', () => {
    mkdirSync(join(dir, 'real'));
    writeFileSync(join(dir, 'real/t.json'), 'old\n');
    symlinkSync('real/t.json', join(dir, 'link.json'));
    write('link.json', 'new\n');
    expect(lstatSync(join(dir, 'link.json')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'link.json'))).toBe('real/t.json');
    expect(readFileSync(join(dir, 'real/t.json'), 'utf8')).toBe('new\n');
    // The temporary file was beside the target, and is gone.
    expect(readdirSync(join(dir, 'real'))).toEqual(['t.json']);
    expect(readdirSync(dir).sort()).toEqual(['link.json', 'real']);
  });

  it('creates the missing target of a dangling symlink, through a chain of links', () => {
    symlinkSync('b.json', join(dir, 'a.json'));
    symlinkSync('c.json', join(dir, 'b.json'));
    write('a.json', 'made\n');
    expect(readFileSync(join(dir, 'c.json'), 'utf8')).toBe('made\n');
    expect(lstatSync(join(dir, 'a.json')).isSymbolicLink()).toBe(true);
    expect(lstatSync(join(dir, 'b.json')).isSymbolicLink()).toBe(true);
  });
});

describe('atomic writes and temporary files', () => {
  it('keeps the mode of the file it replaces', () => {
    writeFileSync(join(dir, 'm.json'), 'old', { mode: 0o640 });
    chmodSync(join(dir, 'm.json'), 0o640);
    write('m.json', 'new');
    expect(statSync(join(dir, 'm.json')).mode & 0o777).toBe(0o640);
  });

  it('abandon() leaves the target as it was and no temporary file', () => {
    writeFileSync(join(dir, 't.jsonl'), 'before\n');
    const out = new AtomicOutput(checkOutputPath('--trace', 't.jsonl'));
    out.line('partial');
    expect(liveTempFileCount()).toBe(1);
    out.abandon();
    out.abandon();
    expect(liveTempFileCount()).toBe(0);
    expect(readdirSync(dir)).toEqual(['t.jsonl']);
    expect(readFileSync(join(dir, 't.jsonl'), 'utf8')).toBe('before\n');
  });

  it('removeTempFiles() removes every temporary file still open (what a signal handler calls)', () => {
    const a = new AtomicOutput(checkOutputPath('--trace', 'a.jsonl'));
    const b = new AtomicOutput(checkOutputPath('--history', 'b.json'));
    // Over a MiB, so that part of it has reached the disk.
    for (let i = 0; i < 30_000; i++) a.line(`{"step":${i},"pad":"${'x'.repeat(40)}"}`);
    b.write('{');
    expect(readdirSync(dir).length).toBe(2);
    expect(liveTempFileCount()).toBe(2);
    removeTempFiles();
    expect(readdirSync(dir)).toEqual([]);
    expect(liveTempFileCount()).toBe(0);
  });

  it('commit() refuses a target that became a directory meanwhile, and removes its temporary file', () => {
    const out = new AtomicOutput(checkOutputPath('--trace', 'late'));
    out.line('x');
    mkdirSync(join(dir, 'late'));
    expect(usageError(() => out.commit())).toContain('a directory');
    expect(readdirSync(dir)).toEqual(['late']);
    expect(liveTempFileCount()).toBe(0);
  });

  it('writes many lines in order, exactly', () => {
    const out = new AtomicOutput(checkOutputPath('--trace', 'big.jsonl'));
    const lines: string[] = [];
    for (let i = 0; i < 50_000; i++) lines.push(`{"step":${i}}`);
    for (const l of lines) out.line(l);
    out.commit();
    expect(readFileSync(join(dir, 'big.jsonl'), 'utf8')).toBe(`${lines.join('\n')}\n`);
    expect(readdirSync(dir)).toEqual(['big.jsonl']);
  });
});

describe('input files: only regular files, bounded, never blocking', () => {
  it('reads a regular file', () => {
    writeFileSync(join(dir, 'in.json'), '{"a": 1}');
    expect(readInputFile(join(dir, 'in.json'))).toBe('{"a": 1}');
  });

  it('refuses a FIFO at once (a plain open would wait for a writer forever)', () => {
    execFileSync('mkfifo', [join(dir, 'p')]);
    expect(usageError(() => readInputFile(join(dir, 'p'), { shown: 'p' }))).toBe(
      'p: it is a FIFO (named pipe), not a regular file',
    );
  });

  it('refuses /dev/zero, a directory, a missing file', () => {
    expect(usageError(() => readInputFile('/dev/zero'))).toContain('a character device');
    expect(usageError(() => readInputFile(dir, { shown: 'd' }))).toBe(
      'd: it is a directory, not a regular file',
    );
    expect(usageError(() => readInputFile(join(dir, 'nope'), { shown: 'nope' }))).toBe('nope: no such file');
  });

  it('refuses a file above the limit and names the flag that raises it', () => {
    writeFileSync(join(dir, 'big'), Buffer.alloc(1024 * 1024 + 1, 0x20));
    expect(
      usageError(() =>
        readInputFile(join(dir, 'big'), { shown: 'big', maxMb: 1, limitFlag: '--max-input-mb' }),
      ),
    ).toBe('big: the file is larger than the 1 MiB limit (--max-input-mb raises it)');
    expect(readInputFile(join(dir, 'big'), { maxMb: 2 }).length).toBe(1024 * 1024 + 1);
  });
});
