/**
 * The WebRTC transport end to end, with werift as the client's peer (the browser's side is test/browser): signalling
 * errors, frames before ready, injected loss and reordering on the unordered audio channel, peers that say goodbye
 * and peers that vanish, and the fallback to WebSocket. Every test ends by counting peers and live sessions: none
 * may leak.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFrame, encodeJsonFrame, ErrorCode, type DecodedFrame } from '@antiphase/protocol';
import {
  RtcStreamClient, WsStreamClient, connectWithFallback, nodeRtcPeerFactory, rtcSocketFactory,
  type AntiNoiseEvent, type RtcPeerFactory, type StreamClient, type WebSocketFactory, type WebSocketLike,
} from '@antiphase/client';
import type { RunningServer } from '@antiphase/server';
import { api, audioFrameBytes, noiseFrame, sessionConfig, startTestServer, userToken } from './helpers.js';

const FRAME = 160;
const LOOPBACK = { webrtcAddresses: ['127.0.0.1'] };
const peers: RtcPeerFactory = nodeRtcPeerFactory(['127.0.0.1']);

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Nothing left behind: no peer connection, no live session. */
async function assertNoLeaks(server: RunningServer): Promise<void> {
  await until(() => server.webrtc!.peerCount === 0 && server.sessions.liveCount === 0, `peers (${server.webrtc!.peerCount}) and live sessions (${server.sessions.liveCount}) to reach 0`);
  assert.match(await (await fetch(`${server.url}/metrics`)).text(), /antiphase_webrtc_peers 0/);
}

/** A gathered werift offer with both of our data channels, as a client would POST it. */
async function realOffer(): Promise<{ sdp: string; close(): void }> {
  const pc = peers();
  pc.createDataChannel('anc-control', { ordered: true });
  pc.createDataChannel('anc-audio', { ordered: false, maxRetransmits: 0 });
  await pc.setLocalDescription(await pc.createOffer());
  await until(() => pc.iceGatheringState === 'complete', 'ICE gathering');
  return { sdp: pc.localDescription!.sdp, close: () => void pc.close() };
}

test('signalling: unauthenticated, malformed and candidate-less offers are refused with a clear error and leave no peer', async (t) => {
  const server = await startTestServer(t, LOOPBACK);
  const token = await userToken(server, 'rtc-signalling@example.com');
  const offer = await realOffer();
  t.after(() => offer.close());

  const post = (json: unknown, auth = token) => api(server, 'POST', '/api/v1/webrtc/offer', { token: auth, json });
  assert.equal((await post({ type: 'offer', sdp: offer.sdp }, '')).status, 401);
  assert.equal((await post({ type: 'offer', sdp: offer.sdp }, 'not-a-token')).status, 401);

  const cases: [unknown, RegExp][] = [
    [{ type: 'answer', sdp: offer.sdp }, /type/],
    [{ type: 'offer', sdp: 'hello' }, /v=0/],
    [{ type: 'offer', sdp: offer.sdp.replace(/^m=application.*$/m, 'm=audio 9 UDP/TLS/RTP/SAVPF 111') }, /data channel/],
    [{ type: 'offer', sdp: offer.sdp.split('\r\n').filter((line) => !line.startsWith('a=candidate:')).join('\r\n') }, /ICE candidates/],
    [{ type: 'offer', sdp: offer.sdp + 'a=x-padding:' + 'x'.repeat(70_000) + '\r\n' }, /exceeds/],
    [{ type: 'offer', sdp: offer.sdp.replace(/^a=fingerprint:.*$/m, 'a=fingerprint:sha-256 nonsense') }, /fingerprint/],
    [{ type: 'offer', sdp: offer.sdp.replace(/^a=ice-pwd:.*\r\n/m, '') }, /ICE credentials/],
  ];
  for (const [body, message] of cases) {
    const reply = await post(body);
    assert.equal(reply.status, 400, `${JSON.stringify(reply.body)} for ${JSON.stringify(body).slice(0, 80)}`);
    assert.equal(reply.body.error.code, 'BAD_REQUEST');
    assert.match(reply.body.error.message, message);
  }
  // A good offer is answered with candidates on the configured addresses only; only its owner can hang it up.
  const answer = await post({ type: 'offer', sdp: offer.sdp });
  assert.equal(answer.status, 200);
  const candidates = (answer.body.sdp as string).split('\r\n').filter((line) => line.startsWith('a=candidate:'));
  assert.ok(candidates.length > 0);
  assert.deepEqual(new Set(candidates.map((line) => line.split(' ')[4])), new Set(['127.0.0.1']));
  const other = await userToken(server, 'rtc-other@example.com');
  assert.equal((await api(server, 'DELETE', `/api/v1/webrtc/peers/${answer.body.peerId}`, { token: other })).status, 404);
  assert.equal((await api(server, 'DELETE', '/api/v1/webrtc/peers/no-such-peer', { token })).status, 404);
  assert.equal(server.webrtc!.peerCount, 1);
  assert.equal((await api(server, 'DELETE', `/api/v1/webrtc/peers/${answer.body.peerId}`, { token })).status, 204);
  // A goodbye that comes after the peer went is still 204 for its owner (idempotent), and still 404 for others.
  assert.equal((await api(server, 'DELETE', `/api/v1/webrtc/peers/${answer.body.peerId}`, { token })).status, 204);
  assert.equal((await api(server, 'DELETE', `/api/v1/webrtc/peers/${answer.body.peerId}`, { token: other })).status, 404);
  await assertNoLeaks(server);
});

test('over the data channels: audio before ready is NOT_READY, then hello → ready → anti-noise; a goodbye frees the peer and ends the session', async (t) => {
  const server = await startTestServer(t, LOOPBACK);
  const token = await userToken(server, 'rtc-raw@example.com');
  const socket = rtcSocketFactory(peers).create(server.url, { authorization: `Bearer ${token}` });
  const received: DecodedFrame[] = [];
  socket.onmessage = ({ data }) => received.push(decodeFrame(new Uint8Array(data as ArrayBuffer)));
  t.after(() => socket.close());
  await new Promise<void>((resolve, reject) => {
    socket.onopen = () => resolve();
    socket.onclose = ({ reason }) => reject(new Error(`closed before open: ${reason}`));
  });
  assert.equal(server.webrtc!.peerCount, 1);

  socket.send(audioFrameBytes(FRAME, 0));
  await until(() => received.length === 1, 'the NOT_READY error');
  assert.equal(received[0].type, 'error');
  assert.equal(received[0].type === 'error' && received[0].code, ErrorCode.NOT_READY);

  socket.send(encodeJsonFrame('hello', { config: sessionConfig(FRAME) }));
  await until(() => received.some((f) => f.type === 'ready'), 'ready');
  for (let k = 0; k < 5; k++) socket.send(audioFrameBytes(FRAME, k));
  await until(() => received.filter((f) => f.type === 'antiNoise').length === 5, 'five anti-noise frames');
  const ready = received.find((f) => f.type === 'ready')!;
  const sessionId = (ready.type === 'ready' || ready.type === 'hello' ? (ready.value as { sessionId: string }).sessionId : '');
  const live = await api(server, 'GET', `/api/v1/sessions/${sessionId}`, { token });
  assert.equal(live.body.transport, 'webrtc');
  assert.equal(live.body.live, true);

  socket.close(); // DELETE /api/v1/webrtc/peers/:id, then the peer connection closes
  await assertNoLeaks(server);
  const ended = await api(server, 'GET', `/api/v1/sessions/${sessionId}`, { token });
  assert.equal(ended.body.live, false);
  assert.equal(ended.body.stats.framesProcessed, 5);
});

/** Wraps a socket factory: the audio frames the client sends can be dropped, held back one frame, or all cut. */
function impairedFactory(inner: WebSocketFactory, impair: { drop(k: number): boolean; delay(k: number): boolean; vanished: boolean }): WebSocketFactory {
  return {
    supportsHeaders: inner.supportsHeaders,
    create(url, headers) {
      const socket = inner.create(url, headers);
      let audioIndex = 0;
      let held: Uint8Array | null = null;
      const send = socket.send.bind(socket);
      return Object.assign(socket, {
        send(data: Uint8Array): void {
          if (impair.vanished) return;
          if (data[1] !== 1 /* FrameType.audio */) return send(data);
          const k = audioIndex++;
          if (impair.drop(k)) return;
          if (held !== null) {
            send(data); // the later frame overtakes the held one
            send(held);
            held = null;
          } else if (impair.delay(k)) held = data;
          else send(data);
        },
      }) as WebSocketLike;
    },
  };
}

test('injected loss and reordering on the audio channel are counted (lost, late) and never stall the frames after them', async (t) => {
  const server = await startTestServer(t, LOOPBACK);
  const token = await userToken(server, 'rtc-loss@example.com');
  const total = 300;
  const dropped = new Set<number>();
  const delayed = new Set<number>();
  for (let k = 3; k < total - 1; k += 10) dropped.add(k);
  for (let k = 7; k < total - 1; k += 10) delayed.add(k);
  // What RtcStreamClient is, a WsStreamClient over rtcSocketFactory, with its audio frames impaired on the way out.
  const client = new WsStreamClient(impairedFactory(rtcSocketFactory(peers), { drop: (k) => dropped.has(k), delay: (k) => delayed.has(k), vanished: false }));
  t.after(() => client.close());
  const answers: AntiNoiseEvent[] = [];
  client.on('antiNoise', (event) => answers.push(event));
  const ready = await client.connect({ url: server.url, token, config: sessionConfig(FRAME) });

  for (let k = 0; k < total; k++) {
    const { reference, error } = noiseFrame(FRAME, k);
    client.send(reference, error, (k * FRAME * 1e6) / 16000);
    await new Promise((resolve) => setTimeout(resolve, 2)); // ~10 ms frames sent 5x faster than real time
  }
  const expected = total - dropped.size - delayed.size; // a held-back frame arrives after its successor: late, unanswered
  await until(() => answers.length >= expected, `${expected} answers (have ${answers.length})`);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const stats = (await api(server, 'GET', `/api/v1/sessions/${ready.sessionId}`, { token })).body.stats;
  t.diagnostic(`sent ${total}, dropped ${dropped.size}, reordered ${delayed.size}: answered ${answers.length}, server framesLost ${stats.framesLost} framesLate ${stats.framesLate}`);
  assert.equal(answers.length, expected);
  assert.equal(stats.framesLost, dropped.size);
  assert.equal(stats.framesLate, delayed.size);
  // Every frame after a loss or a reordering was answered, the last one included.
  const answered = new Set(answers.map((a) => a.sequence));
  for (let k = 0; k < total; k++) assert.equal(answered.has(k), !dropped.has(k) && !delayed.has(k), `frame ${k}`);
  await client.close();
  await assertNoLeaks(server);
});

test('a peer that vanishes mid-stream (no goodbye, no packets) is torn down after the idle timeout and its session ends', async (t) => {
  const server = await startTestServer(t, { ...LOOPBACK, webrtcIdleTimeoutSeconds: 1 });
  const token = await userToken(server, 'rtc-vanish@example.com');
  const impair = { drop: () => false, delay: () => false, vanished: false };
  const client = new WsStreamClient(impairedFactory(rtcSocketFactory(peers), impair));
  t.after(() => client.close());
  let answered = 0;
  client.on('antiNoise', () => answered++);
  const ready = await client.connect({ url: server.url, token, config: sessionConfig(FRAME) });
  for (let k = 0; k < 20; k++) {
    const { reference, error } = noiseFrame(FRAME, k);
    client.send(reference, error);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await until(() => answered === 20, 'twenty answers');
  impair.vanished = true; // the app froze or the phone left coverage: the peer connection stays up, silent
  const vanishedAt = performance.now();
  await assertNoLeaks(server);
  const tornDownAfterMs = performance.now() - vanishedAt;
  t.diagnostic(`the vanished peer was torn down ${tornDownAfterMs.toFixed(0)} ms after its last packet (idle timeout 1 s)`);
  assert.ok(tornDownAfterMs >= 900);
  const session = await api(server, 'GET', `/api/v1/sessions/${ready.sessionId}`, { token });
  assert.equal(session.body.live, false);
});

test('where the service offers no WebRTC, connectWithFallback says why and streams over WebSocket', async (t) => {
  const server = await startTestServer(t, { webrtc: false });
  const token = await userToken(server, 'rtc-fallback@example.com');
  const fallbacks: string[] = [];
  const clients: (() => StreamClient)[] = [() => new RtcStreamClient(peers), () => new WsStreamClient()];
  const { client, info } = await connectWithFallback({ url: server.url, token, config: sessionConfig(FRAME) }, clients, (transport, error) => fallbacks.push(`${transport}: ${error.message}`));
  t.after(() => client.close());
  assert.equal(client.transport, 'ws');
  assert.equal(fallbacks.length, 1);
  assert.match(fallbacks[0], /^webrtc: .*404/);
  const answer = new Promise<AntiNoiseEvent>((resolve) => client.on('antiNoise', resolve));
  const { reference, error } = noiseFrame(FRAME, 0);
  client.send(reference, error);
  assert.equal((await answer).antiNoise.length, FRAME);
  assert.equal(server.webrtc, null);
  assert.equal((await api(server, 'GET', `/api/v1/sessions/${info.sessionId}`, { token })).body.transport, 'ws');
});
