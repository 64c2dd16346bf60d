// Reading a file a user named (--replay, lincheck's history): only a regular file, only up to a
// size limit, and never blocking. A FIFO opened for reading waits for a writer, /dev/zero never
// ends, a directory cannot be read: each is refused at once with one line (exit 2).

import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { UsageError } from './errors.ts';
import { errnoReason, fileKind } from './output-file.ts';

/** Default size limit of an input file, in MiB: far above any trace or history raftsim writes. */
export const DEFAULT_MAX_INPUT_MB = 64;
/** The most a limit may be raised to: a JavaScript string holds at most about 512 MiB of text. */
export const MAX_INPUT_MB = 512;

export const MIB = 1024 * 1024;

export interface InputOptions {
  /** The file as the user named it, for messages (default: the path). */
  readonly shown?: string;
  /** Size limit in MiB (default DEFAULT_MAX_INPUT_MB). */
  readonly maxMb?: number;
  /** The flag that raises the limit, named in the message when the file is too big. */
  readonly limitFlag?: string;
}

/**
 * The text of the regular file at `path` (already resolved by the caller). Throws a UsageError of
 * one line naming the file when it is missing, not a regular file, or above the limit.
 */
export function readInputFile(path: string, opts: InputOptions = {}): string {
  const shown = opts.shown ?? path;
  const maxMb = opts.maxMb ?? DEFAULT_MAX_INPUT_MB;
  const fail = (why: string): never => {
    throw new UsageError(`${shown}: ${why}`);
  };
  if (path === '' || shown === '') throw new UsageError('the input file name is empty');
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO without a writer returns at once instead of waiting forever.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') fail('no such file');
    if (code === 'EISDIR') fail('it is a directory, not a regular file');
    if (code === 'ENXIO') fail('it is a socket, not a regular file');
    fail(`cannot read: ${errnoReason(error)}`);
  }
  try {
    const st = fstatSync(fd!);
    if (!st.isFile()) fail(`it is ${fileKind(st)}, not a regular file`);
    const limit = maxMb * MIB;
    const tooBig = (): never =>
      fail(
        `the file is larger than the ${maxMb} MiB limit` +
          (opts.limitFlag === undefined ? '' : ` (${opts.limitFlag} raises it)`),
      );
    if (st.size > limit) tooBig();
    // Read at most one byte past the limit: a file that grows while we read is still bounded.
    const buffer = Buffer.allocUnsafe(Math.min(st.size, limit) + 1);
    let length = 0;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd!, buffer, length, buffer.length - length, null);
      } catch (error) {
        fail(`cannot read: ${errnoReason(error)}`);
      }
      if (n! === 0) break;
      length += n!;
      if (length > limit) tooBig();
      if (length === buffer.length) break;
    }
    return buffer.toString('utf8', 0, length);
  } finally {
    closeSync(fd!);
  }
}

/** Parses a size limit flag in MiB (1..MAX_INPUT_MB). */
export function parseMaxInputMb(flag: string, value: string): number {
  const n = /^[1-9][0-9]{0,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= 1 && n <= MAX_INPUT_MB)) {
    throw new UsageError(`${flag}: '${value}' is not a size in MiB from 1 to ${MAX_INPUT_MB}`);
  }
  return n;
}
