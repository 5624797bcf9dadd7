/** What main.ts needs to know about a subcommand. */
export interface Command {
  name: string;
  /** One line for the top-level help. */
  summary: string;
  /** Full text printed by `antiphase <name> --help`. */
  help: string;
  /** Runs with the arguments after the command name; resolves to the exit code (default 0). */
  run(argv: string[]): Promise<number | void> | number | void;
}

/** Writes to stdout (the result: table or JSON). */
export function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Writes to stderr (notes and diagnostics that must not mix into --json stdout). */
export function note(command: string, text: string): void {
  process.stderr.write(`antiphase ${command}: ${text}\n`);
}
