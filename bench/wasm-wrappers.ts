/**
 * The stall of V8's JS-to-WASM wrapper tier-up, and what useSpecificWasmWrappers (@antiphase/engine) does about it.
 *
 *   node --import tsx bench/wasm-wrappers.ts [--sessions 100] [--rounds 1500] [--repeat 3]
 *
 * Each session's FxNLMS controller (256 taps, WASM SIMD kernel) has a kernel instance of its own; a round gives
 * every session one 160-sample frame, as the inline engine does every 10 ms. V8 calls an export through a generic
 * wrapper until that export of that instance has had 1000 calls, then compiles a specific wrapper on the spot, so
 * sessions that started together all pay for it in the same round. Each mode runs in a child process of its own
 * (V8 flags are process-wide), alternating, `--repeat` times: the default (generic wrappers first) and the engine's
 * setting. Printed per run: the median round and the slowest round after the first 100 (JIT warm-up), with its
 * index; then, over the runs, the medians and the ratio of the slowest rounds (default / engine).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';

const { values: args } = parseArgs({
  options: {
    sessions: { type: 'string', default: '100' }, rounds: { type: 'string', default: '1500' }, repeat: { type: 'string', default: '3' },
    child: { type: 'string' },
  },
});
const sessions = Number(args.sessions);
const rounds = Number(args.rounds);
const repeat = Number(args.repeat);
for (const [name, value] of [['sessions', sessions], ['rounds', rounds], ['repeat', repeat]] as const) {
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a whole number >= 1, got ${value}`);
}
if (rounds <= 1100) throw new Error('--rounds must exceed 1100: the tier-up comes at the 1000th call');

interface Run { medianMs: number; worstMs: number; worstRound: number }

async function child(mode: 'default' | 'engine'): Promise<Run> {
  const engine = await import('@antiphase/engine');
  if (mode === 'engine') engine.useSpecificWasmWrappers();
  const { createController } = await import('@antiphase/dsp');
  const secondaryPath = new Float32Array(64).map((_, i) => (i === 3 ? 0.8 : i === 4 ? 0.3 : 0));
  const controllers = Array.from({ length: sessions }, () => createController('fxnlms', { taps: 256, secondaryPathEstimate: secondaryPath }));
  const reference = new Float32Array(160).map((_, i) => Math.sin(0.3 * i));
  const error = new Float32Array(160).map((_, i) => 1e-3 * Math.cos(0.7 * i));
  const antiNoise = new Float32Array(160);
  const times = new Float64Array(rounds);
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    for (const controller of controllers) controller.process(reference, error, antiNoise);
    times[r] = performance.now() - t;
  }
  let worstRound = 100;
  for (let r = 100; r < rounds; r++) if (times[r] > times[worstRound]) worstRound = r;
  return { medianMs: median([...times]), worstMs: times[worstRound], worstRound };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

if (args.child) {
  process.stdout.write(JSON.stringify(await child(args.child as 'default' | 'engine')));
} else {
  const runs: Record<'default' | 'engine', Run[]> = { default: [], engine: [] };
  const self = fileURLToPath(import.meta.url);
  for (let i = 0; i < repeat; i++) {
    for (const mode of ['default', 'engine'] as const) {
      const out = execFileSync(process.execPath, ['--import', 'tsx', self, '--child', mode, '--sessions', String(sessions), '--rounds', String(rounds)], { encoding: 'utf8' });
      const run = JSON.parse(out) as Run;
      runs[mode].push(run);
      console.log(`${mode.padEnd(7)} run ${i + 1}: median round ${run.medianMs.toFixed(3)} ms, slowest ${run.worstMs.toFixed(2)} ms (round ${run.worstRound})`);
    }
  }
  const worst = (mode: 'default' | 'engine') => median(runs[mode].map((r) => r.worstMs));
  const typical = (mode: 'default' | 'engine') => median(runs[mode].map((r) => r.medianMs));
  console.log(`\n${sessions} sessions, ${rounds} rounds, medians of ${repeat} runs:`);
  console.log(`  median round:  default ${typical('default').toFixed(3)} ms, engine ${typical('engine').toFixed(3)} ms (ratio ${(typical('default') / typical('engine')).toFixed(2)})`);
  console.log(`  slowest round: default ${worst('default').toFixed(2)} ms, engine ${worst('engine').toFixed(2)} ms (ratio ${(worst('default') / worst('engine')).toFixed(2)})`);
}
