/**
 * Helpers for the CLI's tests: run the real `antiphase` process, make and remove temporary folders, write WAV and
 * path files, and find ../shared data (tests that need it skip, saying so, when it is absent).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeWav } from '@antiphase/dsp';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
export const BIN = fileURLToPath(new URL('../bin/antiphase.js', import.meta.url));
/** The shared data folder sits beside the repository root. */
export const SHARED_DATA = join(REPO_ROOT, '..', 'shared', 'data');

/** Absolute path of a file under ../shared/data, or a skip message when it is absent. */
export function sharedFile(...parts: string[]): { path: string; skip: false } | { path: string; skip: string } {
  const path = join(SHARED_DATA, ...parts);
  return existsSync(path) ? { path, skip: false } : { path, skip: `${path} is absent (../shared/data not available)` };
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Run through bin/antiphase.js instead of `node --import tsx src/main.ts`. */
  viaBin?: boolean;
  /** Called with each stdout chunk; gets the child to send it signals. */
  onStdout?: (text: string, child: import('node:child_process').ChildProcess) => void;
}

/** Runs the real CLI as a child process from the repository root. */
export function antiphase(args: string[], options: RunOptions = {}): Promise<RunResult> {
  const argv = options.viaBin ? [BIN, ...args] : ['--import', 'tsx', MAIN, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      options.onStdout?.(stdout, child);
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** A fresh temporary folder, removed when the test ends. */
export function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'antiphase-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function writeWavFile(path: string, sampleRate: number, ...channels: Float32Array[]): string {
  writeFileSync(path, writeWav({ sampleRate, channels }, { format: 'float32' }));
  return path;
}

export function writePathFile(path: string, sampleRate: number, taps: ArrayLike<number>, trims?: Record<string, [number, number]>): string {
  writeFileSync(path, JSON.stringify({ sampleRate, taps: Array.from(taps), ...(trims ? { trims } : {}) }));
  return path;
}

/** Asserts-friendly: an expected failure prints one `antiphase <cmd>: error: …` line and no stack trace. */
export function isCleanError(stderr: string, command: string): boolean {
  return stderr.startsWith(`antiphase ${command}: error: `) && !/\n\s+at /.test(stderr);
}
