import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLASSIFY_WINDOW_S, NoiseMonitor } from './noise-monitor.js';

test('the classification window is the last CLASSIFY_WINDOW_S of reference audio, in order, whatever the frame sizes', () => {
  const fs = 1000;
  const length = Math.round(CLASSIFY_WINDOW_S * fs);
  // Frame sizes that do and do not divide the window, one longer than the window, and one empty frame.
  for (const sizes of [[160], [7, 13, 1, 250], [length + 3, 10], [0, 33]]) {
    const monitor = new NoiseMonitor('s', { sampleRate: fs, bypass: false, holdS: 1, classifier: null });
    const all: number[] = [];
    let k = 0;
    for (let frame = 0; all.length < 3 * length + 17; frame++) {
      const n = sizes[frame % sizes.length];
      const reference = new Float32Array(n);
      for (let i = 0; i < n; i++) reference[i] = ++k / 8;
      monitor.observe(reference);
      all.push(...reference);
      if (all.length >= length) {
        assert.deepEqual([...monitor.takeClassificationWindow()], all.slice(all.length - length), `sizes ${sizes.join(',')}, after ${all.length} samples`);
      }
    }
  }
});
