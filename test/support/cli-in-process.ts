import { runLincheck } from '../../sim/cli/lincheck.ts';
import { runCli } from '../../sim/cli/main.ts';

/** What one command line did: exit code, output, and the exception if it escaped (a bug). */
export interface CliOutcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly thrown: unknown;
}

/**
 * Runs `raftsim <args>` in this process, as a user in directory `cwd` would through npm (which
 * reports that directory in INIT_CWD). Spawning a process per command line costs about half a
 * second through tsx; this costs milliseconds for a command that stops at its input.
 */
export async function simInProcess(args: readonly string[], cwd: string): Promise<CliOutcome> {
  const out: string[] = [];
  const err: string[] = [];
  const writeOut = process.stdout.write;
  const writeErr = process.stderr.write;
  const initCwd = process.env.INIT_CWD;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    err.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  process.env.INIT_CWD = cwd;
  let code: number | null = null;
  let thrown: unknown = null;
  try {
    code = await runCli(['--no-color', ...args]);
  } catch (error) {
    thrown = error;
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
    if (initCwd === undefined) delete process.env.INIT_CWD;
    else process.env.INIT_CWD = initCwd;
  }
  return { code, stdout: out.join(''), stderr: err.join(''), thrown };
}

/** Runs `lincheck <args>` in this process, from directory `cwd`. */
export function lincheckInProcess(args: readonly string[], cwd: string): CliOutcome {
  const out: string[] = [];
  const err: string[] = [];
  const initCwd = process.env.INIT_CWD;
  process.env.INIT_CWD = cwd;
  let code: number | null = null;
  let thrown: unknown = null;
  try {
    code = runLincheck(args, {
      stdout: (line) => out.push(`${line}\n`),
      stderr: (line) => err.push(`${line}\n`),
      color: false,
    });
  } catch (error) {
    thrown = error;
  } finally {
    if (initCwd === undefined) delete process.env.INIT_CWD;
    else process.env.INIT_CWD = initCwd;
  }
  return { code, stdout: out.join(''), stderr: err.join(''), thrown };
}
