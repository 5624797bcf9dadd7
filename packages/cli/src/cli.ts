/**
 * Dispatch: `antiphase <command> [options]`. Expected errors (UsageError, CliError) print one line
 * `antiphase <cmd>: error: <message>` on stderr and exit 2 (usage) or 1 (failure); anything else is a bug and
 * prints its stack as an internal error.
 */
import { wantsHelp } from './args.js';
import type { Command } from './command.js';
import { cancelCommand } from './commands/cancel.js';
import { classifierCommand } from './commands/classifier.js';
import { classifyCommand } from './commands/classify.js';
import { demoCommand } from './commands/demo.js';
import { identifyCommand } from './commands/identify.js';
import { loadtestCommand } from './commands/loadtest.js';
import { presetsCommand } from './commands/presets.js';
import { serveCommand } from './commands/serve.js';
import { simulateCommand } from './commands/simulate.js';
import { streamCommand } from './commands/stream.js';
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './errors.js';

export const COMMANDS: readonly Command[] = [
  simulateCommand, cancelCommand, identifyCommand, demoCommand, serveCommand, streamCommand, loadtestCommand,
  classifyCommand, classifierCommand, presetsCommand,
];

export function topLevelHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `Usage: antiphase <command> [options]

Antiphase: real-time active noise control. Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run 'antiphase <command> --help' for a command's options.
Exit codes: 0 success, 1 failure (bad input file, mismatched rates, …), 2 usage error, 130 interrupted.
`;
}

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    process.stdout.write(topic ? topic.help : topLevelHelp());
    return EXIT_OK;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(
      `antiphase: error: unknown command '${name}'; commands: ${COMMANDS.map((c) => c.name).join(', ')} (see antiphase --help)\n`,
    );
    return EXIT_USAGE;
  }
  if (wantsHelp(rest)) {
    process.stdout.write(command.help);
    return EXIT_OK;
  }
  try {
    return (await command.run(rest)) ?? EXIT_OK;
  } catch (error) {
    if (error instanceof UsageError || error instanceof CliError) {
      process.stderr.write(`antiphase ${command.name}: error: ${error.message}\n`);
      return error.exitCode;
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`antiphase ${command.name}: internal error (please report): ${detail}\n`);
    return EXIT_FAILURE;
  }
}
