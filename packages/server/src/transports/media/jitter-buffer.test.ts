import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JitterBuffer, type RtpPacketLike } from './jitter-buffer.js';

function packet(sequenceNumber: number): RtpPacketLike {
  return { sequenceNumber: sequenceNumber & 0xffff, timestamp: (sequenceNumber * 960) >>> 0, payload: new Uint8Array([sequenceNumber & 0xff]) };
}

function buffer(maxDelayMs = 40, capacity = 50) {
  const released: number[] = [];
  const jitter = new JitterBuffer({ maxDelayMs, capacity, onPacket: (p) => released.push(p.sequenceNumber) });
  return { jitter, released };
}

test('packets in order go straight through; a swapped pair waits only for its partner', () => {
  const { jitter, released } = buffer();
  jitter.push(packet(1), 0);
  jitter.push(packet(2), 20);
  assert.deepEqual(released, [1, 2]);
  jitter.push(packet(4), 40); // 3 is late
  assert.deepEqual(released, [1, 2]);
  jitter.push(packet(3), 45);
  assert.deepEqual(released, [1, 2, 3, 4]);
  const stats = jitter.stats;
  assert.equal(stats.reordered, 1);
  assert.equal(stats.lost, 0);
  assert.equal(stats.waitMsMax, 5);
});

test('a missing packet is declared lost after maxDelayMs; it arriving later counts as late; duplicates are dropped', () => {
  const { jitter, released } = buffer(40);
  jitter.push(packet(10), 0);
  jitter.push(packet(12), 20);
  jitter.push(packet(13), 40);
  assert.equal(jitter.nextDeadline(), 60);
  jitter.drain(59);
  assert.deepEqual(released, [10]);
  jitter.drain(60);
  assert.deepEqual(released, [10, 12, 13]);
  jitter.push(packet(11), 70);
  jitter.push(packet(13), 71);
  jitter.push(packet(14), 80);
  jitter.push(packet(14), 81);
  assert.deepEqual(released, [10, 12, 13, 14]);
  assert.deepEqual({ ...jitter.stats, waitMsMean: undefined }, {
    received: 7, released: 4, lost: 1, late: 1, duplicates: 2, reordered: 0, waitMsMean: undefined, waitMsMax: 40,
  });
  assert.equal(jitter.nextDeadline(), null);
});

test('sequence numbers wrap at 65536 without a hiccup, and a burst beyond capacity gives up on the hole', () => {
  const { jitter, released } = buffer(1000, 4);
  for (const s of [65534, 65535, 65536, 65537]) jitter.push(packet(s), 0);
  assert.deepEqual(released, [65534, 65535, 0, 1]);
  for (const s of [65539, 65540, 65541, 65542]) jitter.push(packet(s), 1); // 65538 missing, the 4th fills the buffer
  assert.deepEqual(released.slice(4), [3, 4, 5, 6]);
  assert.equal(jitter.stats.lost, 1);
});
