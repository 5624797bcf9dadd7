/**
 * The two kinds of expected failure. main.ts prints either as `antiphase <cmd>: error: <message>` — never with a
 * stack trace — and exits 2 for a UsageError (the command line is wrong) or 1 for a CliError (the command line is
 * fine but the work failed: a missing file, a bad WAV, mismatched sample rates…).
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly exitCode = 2;
}

export class CliError extends Error {
  override readonly name = 'CliError';
  readonly exitCode = 1;
}

/** Exit codes of the CLI. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** 128 + SIGINT, the shell's convention for "stopped by Ctrl-C". */
export const EXIT_INTERRUPTED = 130;
