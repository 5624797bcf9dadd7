/**
 * File I/O of the CLI: loading WAV and path files with errors that name the file and the defect, and writing
 * outputs atomically (a temporary file in the same directory, then rename), so that a failed or interrupted run
 * never leaves a half-written or stale-looking output behind.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parsePath, readWav, toMono, WavError, PathError, type AcousticPath } from '@antiphase/dsp';
import { CliError } from './errors.js';

/** Reads a whole file; a missing or unreadable file becomes a CliError naming it and the role it plays. */
export function readInputFile(path: string, role: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new CliError(`cannot read ${role} '${path}': ${systemReason(error)}`);
  }
}

export interface MonoAudio {
  sampleRate: number;
  /** Mono mixdown (average of the channels). */
  samples: Float32Array;
  /** Channels in the file (1 = already mono). */
  channels: number;
}

/**
 * Loads a WAV as mono. Rejects, naming the file: unreadable files, anything readWav rejects, files without a
 * single sample, and NaN/±Inf samples (possible in float WAVs), which would otherwise poison every adaptive filter.
 */
export function loadMonoWav(path: string, role: string): MonoAudio {
  const bytes = readInputFile(path, role);
  let audio;
  try {
    audio = readWav(bytes);
  } catch (error) {
    if (error instanceof WavError) throw new CliError(`${role} '${path}' is not a usable WAV file: ${error.message}`);
    throw error;
  }
  const frames = audio.channels[0]?.length ?? 0;
  if (frames === 0) throw new CliError(`${role} '${path}' is empty: it holds no audio samples`);
  audio.channels.forEach((channel, c) => {
    for (let i = 0; i < channel.length; i++) {
      if (!Number.isFinite(channel[i])) {
        throw new CliError(`${role} '${path}' contains a non-finite sample (${channel[i]}) at frame ${i} of channel ${c}`);
      }
    }
  });
  return { sampleRate: audio.sampleRate, samples: toMono(audio), channels: audio.channels.length };
}

/** Loads an impulse-response JSON ({sampleRate, taps, trims?}), optionally cut to one of its named trims. */
export function loadPath(path: string, role: string, trim?: string): AcousticPath {
  const text = readInputFile(path, role).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${role} '${path}' is not valid JSON: ${(error as Error).message}`);
  }
  try {
    return parsePath(json, { trim, name: `${role} '${path}'` });
  } catch (error) {
    if (error instanceof PathError) throw new CliError(error.message.replace(/^path /, ''));
    throw error;
  }
}

/** Fails early (before any long computation) when the directory an output file goes into does not exist. */
export function checkOutputFile(path: string, role: string): void {
  const dir = dirname(resolve(path));
  if (!isDirectory(dir)) throw new CliError(`cannot write ${role} '${path}': directory '${dir}' does not exist`);
  if (isDirectory(resolve(path))) throw new CliError(`cannot write ${role} '${path}': it is a directory`);
}

/** Fails early when an output directory exists as something else or cannot be created under its parent. */
export function checkOutputDirectory(path: string, role: string): void {
  const full = resolve(path);
  if (exists(full) && !isDirectory(full)) throw new CliError(`cannot write ${role} into '${path}': it exists and is not a directory`);
}

export interface OutputFile {
  path: string;
  data: Uint8Array | string;
}

/**
 * Writes every file atomically: each goes to a temporary sibling first; only when all temporaries are written are
 * they renamed into place. If anything fails, the temporaries are removed and no output file is touched.
 */
export function writeFilesAtomically(files: OutputFile[], options: { createDirectories?: boolean } = {}): void {
  const staged: { temp: string; target: string }[] = [];
  try {
    for (const file of files) {
      const target = resolve(file.path);
      const dir = dirname(target);
      if (options.createDirectories) mkdirSync(dir, { recursive: true });
      const temp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
      staged.push({ temp, target });
      writeFileSync(temp, file.data);
    }
    for (const { temp, target } of staged) renameSync(temp, target);
  } catch (error) {
    for (const { temp } of staged) rmSync(temp, { force: true });
    throw new CliError(`cannot write output: ${systemReason(error)}`);
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** "no such file or directory" rather than a full Node error with errno and syscall. */
function systemReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const reasons: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    EISDIR: 'it is a directory, not a file',
    ENOTDIR: 'a component of the path is not a directory',
    ENOSPC: 'no space left on the device',
    EROFS: 'read-only file system',
  };
  if (code !== undefined && code in reasons) return `${reasons[code]} (${code})`;
  return error instanceof Error ? error.message : String(error);
}
