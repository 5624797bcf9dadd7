/**
 * Builds and runs ./mdf-bench.c (SpeexDSP's MDF echo canceller, the yardstick for pbfxlms) when libspeexdsp and a C
 * compiler are installed. Never throws: when anything is missing it says why, and the caller skips the row.
 * The binary is compiled at run time into a fresh temporary directory (removed afterwards), never into the repo.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'mdf-bench.c');
const HEADER_FALLBACK = '/usr/include/speex/speex_echo.h';

export interface MdfResult {
  frame: number;
  filter: number;
  sampleRate: number;
  /** Median x-real-time of this invocation's runs, process CPU time. */
  xRealTime: number;
  /** Same, wall time. */
  xRealTimeWall: number;
  runs: number[];
  runsWall: number[];
  echoAttenuationDb: number;
}

export type MdfBench =
  | { available: true; run(args: MdfArgs): MdfResult; close(): void; compileCommand: string; version: string }
  | { available: false; reason: string };

export interface MdfArgs {
  frame: number;
  filter: number;
  sampleRate: number;
  runs: number;
  minSeconds: number;
  warmupSeconds: number;
}

/** Compiles mdf-bench.c against the installed libspeexdsp, or explains why it cannot. */
export function prepareMdfBench(): MdfBench {
  let flags: string[];
  let version = 'unknown';
  if (spawnSync('pkg-config', ['--exists', 'speexdsp']).status === 0) {
    flags = execFileSync('pkg-config', ['--cflags', '--libs', 'speexdsp'], { encoding: 'utf8' }).trim().split(/\s+/).filter(Boolean);
    version = execFileSync('pkg-config', ['--modversion', 'speexdsp'], { encoding: 'utf8' }).trim();
  } else if (existsSync(HEADER_FALLBACK)) {
    flags = ['-lspeexdsp'];
  } else {
    return { available: false, reason: 'libspeexdsp not found (no pkg-config speexdsp, no speex/speex_echo.h); see bench/README.md' };
  }
  const dir = mkdtempSync(join(tmpdir(), 'antiphase-mdf-'));
  const binary = join(dir, 'mdf-bench');
  const args = ['-O2', '-o', binary, SOURCE, ...flags, '-lm'];
  const compiled = spawnSync('cc', args, { encoding: 'utf8' });
  if (compiled.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    const why = compiled.error ? compiled.error.message : compiled.stderr.trim().split('\n').slice(0, 3).join(' | ');
    return { available: false, reason: `could not compile mdf-bench.c with cc: ${why}` };
  }
  return {
    available: true,
    version,
    compileCommand: `cc ${args.map((a) => (a === binary ? '<tmp>/mdf-bench' : a === SOURCE ? 'bench/speexdsp/mdf-bench.c' : a)).join(' ')}`,
    run(a: MdfArgs): MdfResult {
      const argv = [a.frame, a.filter, a.sampleRate, a.runs, a.minSeconds, a.warmupSeconds].map(String);
      const out = execFileSync(binary, argv, { encoding: 'utf8' });
      return JSON.parse(out) as MdfResult;
    },
    close(): void {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
