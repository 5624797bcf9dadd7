/**
 * Command-line parsing on node:util parseArgs, strict: unknown options, missing values and stray positionals are
 * UsageErrors (exit 2) that name the offending argument. Numeric options are checked here with their unit in the
 * message, so a command only sees valid numbers.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Every command accepts --help / -h. */
const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

export function wantsHelp(argv: readonly string[]): boolean {
  // Checked before strict parsing, so `antiphase simulate --help --typo` still shows the help.
  return argv.some((arg) => arg === '--help' || arg === '-h');
}

/** Strict parseArgs; rewrites Node's parse errors into short UsageErrors. */
export function parseOptions<T extends Options>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options: { ...options, ...HELP_OPTION }, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(describeParseError(error));
  }
}

function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  const option = /'(-[^']*)'/.exec(message)?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${option ?? message}' (see --help)`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${/'([^']*)'/.exec(message)?.[0] ?? message}; every input is given by an option (see --help)`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      // "Option '--taps <value>' argument missing" / "Option '--json' does not take an argument"
      return message.replace(/^Option /, 'option ').replace(/ <value>'/, "'");
    default:
      return message;
  }
}

/** The value of a required string option, or a UsageError naming it. */
export function required(value: string | undefined, name: string): string {
  if (value === undefined || value === '') throw new UsageError(`missing --${name} (see --help)`);
  return value;
}

export interface IntegerBounds {
  min?: number;
  max?: number;
}

/** Parses a whole-number option; undefined stays undefined (the caller applies its default). */
export function integerOption(value: string | undefined, name: string, bounds: IntegerBounds = {}): number | undefined {
  if (value === undefined) return undefined;
  const { min = -Infinity, max = Infinity } = bounds;
  const n = /^[+-]?\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be a whole number${rangeText(min, max)}, got '${value}'`);
  }
  return n;
}

export interface NumberBounds {
  /** Smallest allowed value (inclusive unless exclusiveMin). */
  min?: number;
  exclusiveMin?: boolean;
  max?: number;
}

/** Parses a finite decimal option; undefined stays undefined. */
export function numberOption(value: string | undefined, name: string, bounds: NumberBounds = {}): number | undefined {
  if (value === undefined) return undefined;
  const { min = -Infinity, max = Infinity, exclusiveMin = false } = bounds;
  const n = value.trim() === '' ? NaN : Number(value);
  const tooSmall = exclusiveMin ? n <= min : n < min;
  if (!Number.isFinite(n) || tooSmall || n > max) {
    const lower = min === -Infinity ? '' : `${exclusiveMin ? '>' : '≥'} ${min}`;
    const upper = max === Infinity ? '' : `≤ ${max}`;
    const range = [lower, upper].filter(Boolean).join(' and ');
    throw new UsageError(`--${name} must be a finite number${range ? ` ${range}` : ''}, got '${value}'`);
  }
  return n;
}

function rangeText(min: number, max: number): string {
  if (min !== -Infinity && max !== Infinity) return ` from ${min} to ${max}`;
  if (min !== -Infinity) return ` ≥ ${min}`;
  if (max !== Infinity) return ` ≤ ${max}`;
  return '';
}
