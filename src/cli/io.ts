/**
 * What a command reads and writes besides its arguments: where it runs, its environment, its two output
 * streams and its exit status. The real process supplies them in index.ts; tests run commands in process
 * with their own (captureIo), so they need neither a child process nor a chdir.
 */
import { isAbsolute, relative, resolve } from 'node:path';

export interface CliIo {
  /** Relative paths on the command line are relative to this. */
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Writes text to standard output (add the newline). */
  out(text: string): void;
  err(text: string): void;
  /** 0 unless a command says otherwise. */
  exitCode: number;
  /** Standard error is a terminal: long work may draw a progress bar there instead of printing lines. */
  interactive?: boolean;
}

/** A path from the command line, resolved against where the command runs. */
export function pathFrom(io: CliIo, path: string): string {
  return isAbsolute(path) ? path : resolve(io.cwd, path);
}

/** A file as the user would type it: relative to where the command runs when it is below it. */
export function shown(io: CliIo, file: string): string {
  if (/^https?:\/\//.test(file) || !isAbsolute(file)) return file;
  const short = relative(io.cwd, file);
  return short.startsWith('..') || isAbsolute(short) ? file : short;
}

/** A document reference: a URL or npm: reference as written, a file resolved against the command's folder. */
export function referenceFrom(io: CliIo, reference: string): string {
  return /^(https?:\/\/|npm:)/i.test(reference) ? reference : pathFrom(io, reference);
}

export function processIo(): CliIo {
  return {
    cwd: process.cwd(),
    env: process.env,
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    exitCode: 0,
    interactive: process.stderr.isTTY === true,
  };
}

export interface CapturedIo extends CliIo {
  readonly stdout: string;
  readonly stderr: string;
}

/** Output kept in memory: for running commands in process. */
export function captureIo(cwd: string, env: NodeJS.ProcessEnv = process.env): CapturedIo {
  let stdout = '';
  let stderr = '';
  return {
    cwd,
    env,
    out: (text) => void (stdout += text),
    err: (text) => void (stderr += text),
    exitCode: 0,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
  };
}
