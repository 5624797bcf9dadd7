import { test } from 'node:test';
import assert from 'node:assert/strict';
import { antiphase } from './test-support.js';

test('demo runs paced to the wall clock, prints one NR line per second and exits 0', async () => {
  const started = Date.now();
  const run = await antiphase(['demo', '--seconds', '2']);
  const elapsedMs = Date.now() - started;
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, '');
  const lines = run.stdout.split('\n').filter((line) => /^t=\d+s/.test(line));
  assert.deepEqual(lines.map((line) => line.split(' ')[0]), ['t=1s', 't=2s']);
  const nr = lines.map((line) => Number(/NR\s+(-?\d+\.\d) dB/.exec(line)?.[1]));
  assert.ok(nr[1] >= 20, `engine harmonics cancelled by ≥ 20 dB in second 2: ${nr}`);
  assert.match(run.stdout, /causality margin 23 samples/);
  assert.match(run.stdout, /^done: NR over the last 1 s \d+\.\d dB, divergences 0/m);
  // Real time: two seconds of audio cannot finish much sooner than two seconds.
  assert.ok(elapsedMs >= 1900, `finished after ${elapsedMs} ms`);
});

test('Ctrl-C stops the demo cleanly with exit code 130 and a closing line', async () => {
  let sent = false;
  const run = await antiphase(['demo', '--seconds', '60'], {
    onStdout: (text, child) => {
      if (!sent && text.includes('t=1s')) {
        sent = true;
        child.kill('SIGINT');
      }
    },
  });
  assert.ok(sent, 'the demo reached t=1s');
  assert.equal(run.code, 130, run.stderr);
  assert.equal(run.stderr, '');
  assert.match(run.stdout, /^interrupted at t=\d+\.\ds after \d+ full seconds?; CPU \d+% of real time$/m);
  assert.doesNotMatch(run.stdout, /t=5s/);
});
