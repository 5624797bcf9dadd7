/**
 * The transport floor for bench/server.ts (`--floor`): the least a Node WebSocket server must do to carry the
 * benchmark's sessions, so the real service's cost per session can be read against it in the same run.
 *
 * It speaks just enough of docs/protocol.md for the load generator: `POST /api/v1/auth/register` and `/login`
 * (any body; the token is not checked), the upgrade at `/api/v1/stream` (ws with bufferutil and no compression,
 * as the service), `ready` to any `hello`, and to each audio frame an antiNoise frame of the same sequence
 * whose samples are the negated reference — one pooled buffer per answer, as the service allocates. Over gRPC
 * (grpc-js, the service's library), `ProcessAudioStream` answers every AudioChunk, the priming one included, with
 * an AntiNoiseChunk of the same sequence and the negated reference. No session engine, no DSP, no auth, no
 * metrics: whatever the service costs above this floor is our own code.
 *
 * Same IPC contract as bench/lib/server-child.ts: reports `{ t: 'ready', url, port, grpcPort, workers }`, stops
 * on `{ t: 'stop' }` or when the parent goes away. Not a service: it exists only to be measured against.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  ANC_PROTO_LOADER_OPTIONS, ANC_PROTO_PATH, FrameType, HEADER_BYTES, encodeJsonFrame, type AntiNoiseChunk, type AudioChunk,
} from '@antiphase/protocol';

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

/** A copy of the first `frameSize` float32 samples of `bytes` with each sign bit flipped (bytes may be unaligned). */
function negatedFirstChannel(bytes: Uint8Array, frameSize: number): Buffer {
  const out = Buffer.allocUnsafe(4 * frameSize);
  out.set(bytes.subarray(0, 4 * frameSize));
  for (let i = 3; i < out.length; i += 4) out[i] ^= 0x80;
  return out;
}

const anc = grpc.loadPackageDefinition(await protoLoader.load(fileURLToPath(ANC_PROTO_PATH), ANC_PROTO_LOADER_OPTIONS)).anc as grpc.GrpcObject;
const grpcServer = new grpc.Server();
grpcServer.addService((anc.ANCService as grpc.ServiceClientConstructor).service, {
  ProcessAudioStream(call: grpc.ServerDuplexStream<AudioChunk, AntiNoiseChunk>) {
    const sessionId = `floor-${++sessions}`;
    call.on('data', (chunk: AudioChunk) => {
      const receivedAt = performance.now();
      const antiNoiseData = negatedFirstChannel(chunk.audioData, chunk.frameSize);
      call.write({
        antiNoiseData, cancellationDb: 0, latencyUs: (performance.now() - receivedAt) * 1000, noiseType: '', sessionId,
        sequence: chunk.sequence, timestampUs: chunk.timestampUs, phase: 'controlling', errorCode: 0, errorMessage: '', eventJson: '',
      });
    });
    call.on('end', () => call.end());
  },
});
const grpcPort = await new Promise<number>((resolve, reject) =>
  grpcServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))));

http.listen(0, '127.0.0.1', () => {
  const { port } = http.address() as AddressInfo;
  process.send!({ t: 'ready', url: `http://127.0.0.1:${port}`, port, grpcPort, workers: 0 });
});

const stop = (): void => {
  grpcServer.forceShutdown();
  for (const client of wss.clients) client.terminate();
  wss.close();
  http.close(() => process.exit(0));
};
process.on('message', (message: { t?: string }) => {
  if (message?.t === 'stop') stop();
});
process.on('disconnect', stop);
