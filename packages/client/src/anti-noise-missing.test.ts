/**
 * The client's half of the antiNoiseMissing contract: VirtualRoom flags each frame whose slot played silence where
 * anti-noise was due and declares its playout delay; WsStreamClient puts the flag on the wire (flags bit 1).
 * (The end-to-end runs against the real server are in test/client.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFrame, encodeJsonFrame } from '@antiphase/protocol';
import { Emitter, type ReadyInfo, type SendOptions, type SendResult, type StreamClient, type StreamEvents } from './stream.js';
import { VirtualRoom } from './virtual-room.js';
import { WsStreamClient, type WebSocketLike } from './ws-client.js';

/** Answers every frame on the next macrotask, except the ones `drop` names: those are never answered. */
class ScriptedClient extends Emitter<StreamEvents> implements StreamClient {
  readonly transport = 'ws' as const;
  readonly flags: boolean[] = [];
  info: ReadyInfo | null = null;
  private sequence = 0;

  constructor(private readonly frameSize: number, private readonly drop: (sequence: number) => boolean) {
    super();
  }

  get connected(): boolean {
    return this.info !== null;
  }

  get nextSequence(): number {
    return this.sequence;
  }

  async connect(): Promise<ReadyInfo> {
    this.info = { sessionId: 'scripted', sampleRate: 16000, frameSize: this.frameSize, sampleFormat: 'float32', phase: 'controlling', secondaryPathTaps: null, raw: null };
    return this.info;
  }

  send(_reference: Float32Array, _error: Float32Array, captureTimestampUs = 0, options: SendOptions = {}): SendResult {
    const sequence = this.sequence++;
    this.flags[sequence] = options.antiNoiseMissing === true;
    if (!this.drop(sequence)) {
      setImmediate(() => this.emit('antiNoise', {
        sequence, captureTimestampUs, antiNoise: new Float32Array(this.frameSize), processingUs: 0,
        receivedAtMs: performance.now(), phase: 'controlling', cancellationDb: null, noiseType: null,
      }));
    }
    return { sequence, sent: true };
  }

  async close(): Promise<void> {
    this.info = null;
  }
}

test('VirtualRoom flags exactly the frames whose slot played silence where anti-noise was due, and declares its playout delay', async () => {
  const D = 3;
  const room = new VirtualRoom({ frameSize: 32, playoutDelayFrames: D, pace: false, slotDeadlineMs: 20 });
  assert.equal(room.sessionConfig().playoutDelayFrames, D);
  assert.equal(room.sessionConfig({ playoutDelayFrames: 5 }).playoutDelayFrames, 5, 'overrides win');
  const client = new ScriptedClient(32, (sequence) => sequence % 4 === 1);
  await client.connect();
  const report = await room.run(client, { durationS: 0.1 }); // 50 frames
  assert.equal(client.flags.length, 50);
  const expected = client.flags.map((_, k) => k >= D && (k - D) % 4 === 1);
  assert.deepEqual(client.flags, expected);
  assert.equal(report.silentSlots, expected.filter(Boolean).length);
});

test('WsStreamClient sends antiNoiseMissing as flags bit 1 of the audio frame, and only when asked', async () => {
  const sent: Uint8Array[] = [];
  let socket!: WebSocketLike;
  const factory = {
    supportsHeaders: true,
    create(): WebSocketLike {
      socket = {
        binaryType: 'arraybuffer', readyState: 1, bufferedAmount: 0,
        onopen: null, onmessage: null, onclose: null, onerror: null,
        send: (data: Uint8Array) => {
          sent.push(data);
          const frame = decodeFrame(data);
          if (frame.type === 'hello') {
            queueMicrotask(() => socket.onmessage!({ data: encodeJsonFrame('ready', { sessionId: 's1', sampleRate: 16000, frameSize: 4, sampleFormat: 'float32', phase: 'identifying' }) }));
          }
        },
        close: () => undefined,
      };
      queueMicrotask(() => socket.onopen!({}));
      return socket;
    },
  };
  const client = new WsStreamClient(factory);
  await client.connect({ url: 'http://127.0.0.1:1', config: { sampleRate: 16000, frameSize: 4 }, reconnect: false });
  const x = new Float32Array(4).fill(0.1);
  client.send(x, x, 10);
  client.send(x, x, 20, { antiNoiseMissing: true });
  client.send(x, x, 30, { antiNoiseMissing: false });
  const audio = sent.map((bytes) => decodeFrame(bytes)).filter((f) => f.type === 'audio');
  assert.deepEqual(audio.map((f) => f.type === 'audio' && f.antiNoiseMissing), [false, true, false]);
  assert.deepEqual(audio.map((f) => f.sequence), [0, 1, 2]);
});
