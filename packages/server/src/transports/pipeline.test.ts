import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FramePipeline } from './pipeline.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}

test('a full pipeline drops the oldest waiting frame, never one already in the engine, and never holds more than capacity', async () => {
  const submitted: number[] = [];
  const dropped: number[] = [];
  const gates: (() => void)[] = [];
  let peak = 0;
  const pipeline: FramePipeline<number> = new FramePipeline<number>({
    capacity: 4,
    maxSubmitted: 2,
    submit: (n) => {
      submitted.push(n);
      const gate = deferred();
      gates.push(gate.resolve);
      return gate.promise;
    },
    onDrop: (n) => dropped.push(n),
  });
  for (let n = 0; n < 10; n++) {
    pipeline.push(n);
    peak = Math.max(peak, pipeline.size);
  }
  assert.equal(peak, 4);
  assert.deepEqual(submitted, [0, 1]);
  assert.deepEqual(dropped, [2, 3, 4, 5, 6, 7]);
  while (gates.length > 0) {
    gates.shift()!();
    await new Promise((r) => setImmediate(r));
  }
  assert.deepEqual(submitted, [0, 1, 8, 9], 'the newest frames are processed, in order');
  assert.equal(pipeline.size, 0);
});

test('a stopped pipeline drops what waits and accepts nothing', () => {
  const dropped: number[] = [];
  const pipeline = new FramePipeline<number>({ capacity: 4, maxSubmitted: 1, submit: () => new Promise(() => undefined), onDrop: (n) => dropped.push(n) });
  pipeline.push(1);
  pipeline.push(2);
  pipeline.stop();
  pipeline.push(3);
  assert.deepEqual(dropped, [3]);
});
