/**
 * npm run bench:worklet — the demo page's own measurement of its AudioWorklet (docs/benchmarks.md, "Browser
 * AudioWorklet"): FxNLMS with 256 taps on the simulated duct, 48 kHz, 128-sample render quanta, engine scene with the
 * emergency detector on, exactly as a user runs it. The worklet times steps 2–5 of every quantum (room, controller,
 * detector; worklet.ts) with the only clock AudioWorkletGlobalScope has (Temporal, 5 µs resolution on the
 * cross-origin-isolated page) and the page shows median, p99 and max per 8 s run; this script reads them.
 *
 * Contexts: 'offline' renders the scene in an OfflineAudioContext (back to back, an ordinary thread), 'real-time'
 * runs Chromium's fake microphone through a real-time AudioContext (the audio thread, paced by the device clock).
 * The budget of one quantum is 128 / 48000 s = 2667 µs; a quantum over it would be an underrun in real time.
 *
 *   --runs N          runs per (context, kernel), default 5 (real-time runs take 8 s each)
 *   --kernels k1,k2   default wasm-simd,scalar
 *   --contexts c1,c2  default offline,real-time
 *   --json            one JSON object on stdout (progress on stderr)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { loadConfig, startServer } from '@antiphase/server';

const { values: args } = parseArgs({
  options: { runs: { type: 'string' }, kernels: { type: 'string' }, contexts: { type: 'string' }, json: { type: 'boolean' } },
});
const runs = Number(args.runs ?? 5);
const kernels = (args.kernels ?? 'wasm-simd,scalar').split(',');
const contexts = (args.contexts ?? 'offline,real-time').split(',');
const CHROMIUM = process.env.ANTIPHASE_CHROMIUM ?? '/usr/bin/chromium';
const BUDGET_US = (128 / 48000) * 1e6;

interface Run { p50Us: number; p99Us: number; maxUs: number; maxAt: number; underruns: number | null; over: number; quanta: number; nrDb: number; kernel: string }

const dataDir = mkdtempSync(join(tmpdir(), 'antiphase-bench-worklet-'));
const server = await startServer(loadConfig({}, { host: '127.0.0.1', port: 0, grpcPort: 0, workers: 1, dataDir }));
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--autoplay-policy=no-user-gesture-required', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--no-sandbox'],
});
const chromiumVersion = browser.version();
const loadStart = loadavg();
const started = new Date();
const results: { context: string; kernel: string; runs: Run[] }[] = [];
try {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.url}/#/demo`);
  for (const context of contexts) {
    for (const kernel of kernels) {
      const group = { context, kernel, runs: [] as Run[] };
      results.push(group);
      await page.getByLabel('Noise').selectOption(context === 'offline' ? 'engine' : 'microphone');
      await page.getByLabel('Local kernel').selectOption(kernel);
      for (let r = 0; r < runs; r++) {
        await page.getByRole('button', { name: 'Run locally (AudioWorklet)' }).click();
        await page.getByRole('status').filter({ hasText: 'Done: local' }).waitFor({ timeout: 120_000 });
        const cell = page.locator('#local-timing');
        const read = async (name: string): Promise<number> => Number(await cell.getAttribute(`data-${name}`));
        const run: Run = {
          p50Us: await read('p50-us'), p99Us: await read('p99-us'), maxUs: await read('max-us'), maxAt: await read('max-at'),
          underruns: (await cell.getAttribute('data-underruns')) === null ? null : await read('underruns'), over: await read('over'),
          quanta: await read('quanta'), nrDb: Number(await page.locator('#local-nr').textContent()), kernel: (await cell.getAttribute('data-kernel')) ?? '?',
        };
        group.runs.push(run);
        process.stderr.write(`${context} ${kernel} run ${r + 1}: median ${run.p50Us} µs, p99 ${run.p99Us} µs, max ${run.maxUs} µs (quantum ${run.maxAt}), ${run.over}/${run.quanta} over budget, device underruns ${run.underruns ?? 'n/a'}, NR ${run.nrDb} dB\n`);
        // A fresh status for the next run's wait.
        await page.evaluate(() => void (document.getElementById('demo-status')!.textContent = ''));
      }
    }
  }
  if (errors.length > 0) throw new Error(`the page logged errors: ${errors.join('; ')}`);
} finally {
  await browser.close();
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
}
const loadEnd = loadavg();
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const summary = results.map(({ context, kernel, runs: list }) => ({
  context, kernel: list[0]?.kernel ?? kernel,
  medianUs: median(list.map((r) => r.p50Us)), p99Us: median(list.map((r) => r.p99Us)), worstP99Us: Math.max(...list.map((r) => r.p99Us)),
  maxUs: Math.max(...list.map((r) => r.maxUs)), over: list.reduce((n, r) => n + r.over, 0), quanta: list.reduce((n, r) => n + r.quanta, 0),
  underruns: list.some((r) => r.underruns !== null) ? list.reduce((n, r) => n + (r.underruns ?? 0), 0) : null,
  nrDb: median(list.map((r) => r.nrDb)), runs: list,
}));
const machine = { cores: cpus().length, cpu: cpus()[0]?.model ?? '?', loadStart: loadStart.map((v) => Number(v.toFixed(2))), loadEnd: loadEnd.map((v) => Number(v.toFixed(2))), chromium: chromiumVersion, started: started.toISOString() };
if (args.json) {
  process.stdout.write(`${JSON.stringify({ budgetUs: BUDGET_US, machine, summary }, null, 2)}\n`);
} else {
  console.log(`Chromium ${machine.chromium}, ${machine.cores} × ${machine.cpu}; load average ${machine.loadStart[0]} at start, ${machine.loadEnd[0]} at the end; started ${machine.started}`);
  console.log(`budget per quantum: ${BUDGET_US.toFixed(0)} µs; ${runs} runs of 8 s of audio (3000 quanta) each\n`);
  console.log('| context | kernel | median µs | p99 µs (median of runs) | worst p99 µs | max µs | quanta over budget | device underruns | NR dB |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const s of summary) {
    console.log(`| ${s.context} | ${s.kernel} | ${s.medianUs.toFixed(0)} | ${s.p99Us.toFixed(0)} | ${s.worstP99Us.toFixed(0)} | ${s.maxUs.toFixed(0)} | ${s.over} of ${s.quanta} | ${s.underruns ?? '—'} | ${s.nrDb.toFixed(1)} |`);
  }
}
