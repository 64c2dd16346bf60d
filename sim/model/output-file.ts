// Every file raftsim writes for a user (--trace, --out, --history, --save, the default failures/
// file) goes through this module, so that one policy holds everywhere:
//
// - A path is resolved against the user's directory: npm runs scripts from the package root, and
//   tells us where the user was in INIT_CWD.
// - Only a regular file or a new path is written; a directory, device, FIFO or socket is refused
//   before anything is created (as root, replacing /dev/null with a file would break the system).
// - A symlink is written through: its final target is replaced atomically, by a temporary file
//   beside the target, and the link itself stays as it was.
// - The write is atomic (temporary file, then rename), and every temporary file still open is
//   known, so that a failure or a signal can remove them all (removeTempFiles).
//
// This is I/O at the edge of the CLI, never inside a simulated run.

import {
  accessSync,
  chmodSync,
  closeSync,
  constants,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readlinkSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './errors.ts';

/** The directory relative paths are resolved against: the user's, not the package root npm moved to. */
export function userDirectory(): string {
  const init = process.env.INIT_CWD;
  return init !== undefined && init !== '' ? init : process.cwd();
}

/** A path as the user typed it, made absolute against their directory. */
export function userPath(path: string): string {
  return resolve(userDirectory(), path);
}

/** What a non-regular file is, for messages. */
export function fileKind(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'a regular file';
}

/** A checked place to write: `shown` is the path as the user gave it, `path` the file really replaced. */
export interface OutputTarget {
  readonly label: string;
  readonly shown: string;
  readonly path: string;
  /** The mode of the file it replaces, kept on the new one; null for a new file. */
  readonly mode: number | null;
}

export interface OutputOptions {
  /** Create a missing parent directory (only for raftsim's own default places, such as failures/). */
  readonly createParent?: boolean;
}

/** Hops through symlinks before giving up, as the kernel does (ELOOP). */
const MAX_SYMLINK_HOPS = 40;

/** A system error in a few words, without the path Node repeats in its message. */
export function errnoReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'no such file or directory';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'ENAMETOOLONG':
      return 'the name is too long';
    case 'ELOOP':
      return 'too many symbolic links';
    default:
      return (error as Error).message.split('\n')[0] ?? String(error);
  }
}

/**
 * Checks where `shown` (a path from the user) can be written, before any run starts. Throws a
 * UsageError of one line (`--trace: cannot write 'x': it is a directory`); creates nothing,
 * except the parent directory when `createParent` is set.
 */
export function checkOutputPath(label: string, shown: string, opts: OutputOptions = {}): OutputTarget {
  const fail = (why: string): never => {
    throw new UsageError(`${label}: cannot write '${shown}': ${why}`);
  };
  if (shown === '') throw new UsageError(`${label}: the file name is empty`);
  if (shown.includes('\0')) fail('the name holds a NUL character');
  if (/[/\\]$/.test(shown) || /(^|\/)\.\.?$/.test(shown)) fail('it names a directory, not a file');
  let path = userPath(shown);
  let st: Stats | null = null;
  for (let hop = 0; ; hop++) {
    try {
      st = lstatSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') fail(errnoReason(error));
      st = null;
    }
    if (st === null || !st.isSymbolicLink()) break;
    if (hop >= MAX_SYMLINK_HOPS) fail('too many symbolic links');
    path = resolve(dirname(path), readlinkSync(path));
  }
  if (st !== null && !st.isFile()) fail(`it is ${fileKind(st)}, not a regular file`);
  const parent = dirname(path);
  let parentStat: Stats | null = null;
  try {
    parentStat = statSync(parent);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') fail(errnoReason(error));
  }
  if (parentStat === null) {
    if (opts.createParent !== true) fail(`no such directory '${dirname(shown)}'`);
    try {
      mkdirSync(parent, { recursive: true });
    } catch (error) {
      fail(`cannot create its directory: ${errnoReason(error)}`);
    }
  } else if (!parentStat.isDirectory()) {
    fail(`'${dirname(shown)}' is not a directory`);
  }
  try {
    // The temporary file is created in the parent; an existing file must be writable too, as
    // it would be for a shell's `>`, even though a rename would replace it anyway.
    accessSync(parent, constants.W_OK | constants.X_OK);
    if (st !== null) accessSync(path, constants.W_OK);
  } catch (error) {
    fail(errnoReason(error));
  }
  return { label, shown, path, mode: st === null ? null : st.mode & 0o7777 };
}

// ---------------------------------------------------------------------------------------------
// Temporary files

/** Temporary files created and not yet renamed or removed, in creation order. */
const liveTempFiles = new Set<string>();
let tempCounter = 0;

/**
 * Removes every temporary file this process still has open for writing. For failures and for
 * signal handlers: after it, no `*.tmp-<pid>-<n>` file of this process is left on disk.
 * Never throws.
 */
export function removeTempFiles(): void {
  for (const tmp of liveTempFiles) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // Nothing more can be done for this one; go on with the rest.
    }
  }
  liveTempFiles.clear();
}

/** How many temporary files are open now (for tests). */
export function liveTempFileCount(): number {
  return liveTempFiles.size;
}

/**
 * An atomic write in progress: text goes to a temporary file beside the target, which replaces
 * the target only on commit(). abandon() (or removeTempFiles) removes it.
 */
export class AtomicOutput {
  private readonly tmp: string;
  private fd: number | null;
  private chunk: string[] = [];
  private chunkChars = 0;

  constructor(private readonly target: OutputTarget) {
    this.tmp = `${target.path}.tmp-${process.pid}-${++tempCounter}`;
    try {
      // 'wx': never follow or reuse something already there under the temporary name.
      this.fd = openSync(this.tmp, 'wx', target.mode ?? 0o666);
    } catch (error) {
      throw this.error(error);
    }
    liveTempFiles.add(this.tmp);
  }

  private error(error: unknown): UsageError {
    return new UsageError(`${this.target.label}: cannot write '${this.target.shown}': ${errnoReason(error)}`);
  }

  /** Appends text; buffered, so that many small writes cost few system calls. */
  write(text: string): void {
    this.chunk.push(text);
    this.chunkChars += text.length;
    // 4096 lines (what bench/memory.ts models) or 1 MiB, whichever comes first.
    if (this.chunk.length >= 4096 || this.chunkChars >= 1 << 20) this.flush();
  }

  /** Appends one line and its newline. */
  line = (line: string): void => {
    this.write(`${line}\n`);
  };

  private flush(): void {
    if (this.chunk.length === 0 || this.fd === null) return;
    const text = this.chunk.join('');
    this.chunk = [];
    this.chunkChars = 0;
    try {
      writeSync(this.fd, text);
    } catch (error) {
      this.abandon();
      throw this.error(error);
    }
  }

  /** Flushes and renames the temporary file over the target. */
  commit(): void {
    this.flush();
    if (this.fd === null) throw new UsageError(`${this.target.label}: '${this.target.shown}' was abandoned`);
    try {
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = null;
      if (this.target.mode !== null) chmodSync(this.tmp, this.target.mode);
      // Checked again at the last moment: something else may have appeared there since.
      let st: Stats | null = null;
      try {
        st = lstatSync(this.target.path);
      } catch {
        st = null;
      }
      if (st !== null && !st.isFile()) {
        this.abandon();
        throw new UsageError(
          `${this.target.label}: cannot write '${this.target.shown}': it is ${fileKind(st)}, not a regular file`,
        );
      }
      renameSync(this.tmp, this.target.path);
      liveTempFiles.delete(this.tmp);
    } catch (error) {
      this.abandon();
      throw error instanceof UsageError ? error : this.error(error);
    }
  }

  /** Removes the temporary file; the target is left as it was. Safe to call twice. */
  abandon(): void {
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        // Already closed or never usable: removing the file is what matters.
      }
      this.fd = null;
    }
    rmSync(this.tmp, { force: true });
    liveTempFiles.delete(this.tmp);
  }
}

/** Writes `text` to a checked target atomically. */
export function writeOutputFile(target: OutputTarget, text: string): void {
  const out = new AtomicOutput(target);
  out.write(text);
  out.commit();
}
