/**
 * The transport floor for bench/server.ts (`--floor`): the least a Node WebSocket server must do to carry the
 * benchmark's sessions, so the real service's cost per session can be read against it in the same run.
 *
 * It speaks just enough of docs/protocol.md for the load generator: `POST /api/v1/auth/register` and `/login`
 * (any body; the token is not checked), the upgrade at `/api/v1/stream` (ws with bufferutil and no compression,
 * as the service), `ready` to any `hello`, and to each audio frame an antiNoise frame of the same sequence
 * whose samples are the negated reference — one pooled buffer per answer, as the service allocates. No
 * session engine, no DSP, no auth, no metrics: whatever the service costs above this floor is our own code.
 *
 * Same IPC contract as bench/lib/server-child.ts: reports `{ t: 'ready', url, port, grpcPort, workers }`, stops
 * on `{ t: 'stop' }` or when the parent goes away. Not a service: it exists only to be measured against.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { WebSocketServer, type WebSocket } from 'ws';
import { FrameType, HEADER_BYTES, encodeJsonFrame } from '@antiphase/protocol';

if (!process.send) {
  console.error('bench/lib/floor-server.ts is started by bench/server.ts --floor (IPC channel needed)');
  process.exit(2);
}

const http = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    response.writeHead(request.method === 'POST' && request.url?.startsWith('/api/v1/auth/') ? 200 : 404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ token: 'floor' }));
  });
});
const wss = new WebSocketServer({ server: http, path: '/api/v1/stream', perMessageDeflate: false, maxPayload: 1 << 16 });
let sessions = 0;

wss.on('connection', (socket: WebSocket) => {
  socket.binaryType = 'nodebuffer';
  socket.on('message', (data: Buffer) => {
    const receivedAt = performance.now();
    if (data[1] === FrameType.hello) {
      socket.send(encodeJsonFrame('ready', { sessionId: `floor-${++sessions}` }));
      return;
    }
    if (data[1] !== FrameType.audio || data.length < HEADER_BYTES) return;
    const frameSize = data.readUInt16LE(20);
    const answer = Buffer.allocUnsafe(HEADER_BYTES + 4 * frameSize);
    data.copy(answer, 0, 0, HEADER_BYTES);
    answer[1] = FrameType.antiNoise;
    answer.writeUInt16LE(0, 2);
    answer[22] = 1;
    answer.writeUInt32LE(4 * frameSize, 24);
    // The negated reference: its float32 bytes with each sign bit flipped (ws may hand over unaligned bytes).
    data.copy(answer, HEADER_BYTES, HEADER_BYTES, HEADER_BYTES + 4 * frameSize);
    for (let i = HEADER_BYTES + 3; i < answer.length; i += 4) answer[i] ^= 0x80;
    answer.writeUInt32LE(Math.round((performance.now() - receivedAt) * 1000), 28);
    socket.send(answer, { binary: true });
  });
});

http.listen(0, '127.0.0.1', () => {
  const { port } = http.address() as AddressInfo;
  process.send!({ t: 'ready', url: `http://127.0.0.1:${port}`, port, grpcPort: 0, workers: 0 });
});

const stop = (): void => {
  for (const client of wss.clients) client.terminate();
  wss.close();
  http.close(() => process.exit(0));
};
process.on('message', (message: { t?: string }) => {
  if (message?.t === 'stop') stop();
});
process.on('disconnect', stop);
