/**
 * A dropped stream resumes the same session: the room talks to the server through a TCP proxy; after two seconds of
 * audio the proxy cuts every connection. The client reconnects with backoff, says hello with the same session id,
 * and the sequence carries on, so the server's session — its identified Ŝ and adapted filter — continues where it
 * was (the frames that could not go out are a gap it fills with silence).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GrpcStreamClient, VirtualRoom, WsStreamClient, type ReadyInfo, type StreamClient } from '@antiphase/client';
import { signedUpClient, startProxy, startTestServer } from './support.js';

for (const transport of ['ws', 'grpc'] as const) {
  test(`over ${transport}, a dropped stream reconnects with backoff and resumes the same session and its adapted filter`, async (t) => {
    const server = await startTestServer(t);
    const api = await signedUpClient(server);
    const proxy = await startProxy(t, transport === 'ws' ? server.port : server.grpcPort);
    const room = new VirtualRoom({ scene: 'engine', frameSize: 32, pace: false, slotDeadlineMs: 250, identificationS: 1 });
    const config = room.sessionConfig();
    // A session created over REST outlives its connections (one created by hello ends with its connection).
    const { id } = await api.createSession(config);
    const client: StreamClient = transport === 'ws'
      ? new WsStreamClient()
      : new GrpcStreamClient({ channelOptions: { 'grpc.initial_reconnect_backoff_ms': 50, 'grpc.max_reconnect_backoff_ms': 200 } });
    t.after(() => client.close());
    const url = transport === 'ws' ? `http://127.0.0.1:${proxy.port}` : `127.0.0.1:${proxy.port}`;
    const ready = await client.connect({ url, token: api.token, sessionId: id, config, reconnect: { initialDelayMs: 20, maxDelayMs: 500, retries: 10 } });
    assert.equal(ready.sessionId, id);

    const resumed: ReadyInfo[] = [];
    const drops: boolean[] = [];
    client.on('reconnected', (info) => resumed.push(info));
    client.on('close', (event) => drops.push(event.final));
    let cut = 0;
    const report = await room.run(client, {
      durationS: 5,
      onSecond: (s) => {
        if (s.second === 3) cut = proxy.cut();
      },
    });
    t.diagnostic(
      `${transport}: NR per second ${report.nrDbPerSecond.map((v) => v.toFixed(1)).join(' ')} dB; sent ${report.framesSent}, ` +
        `not sent while down ${report.framesUnsent}, late ${report.framesLate}, lost ${report.framesLost}, reconnects ${report.reconnects}`,
    );
    assert.ok(cut >= 1, 'the proxy carried the stream');
    assert.deepEqual(drops, [false], 'one drop, followed by a reconnect');
    assert.equal(resumed.length, 1);
    assert.equal(resumed[0].sessionId, id);
    assert.equal(report.reconnects, 1);
    assert.equal(report.stoppedBy, 'done');
    // Anti-noise kept coming after the reconnect, and the filter adapted before the drop still cancels.
    assert.ok(report.nrDbPerSecond[4] >= 15, `NR in the last second ${report.nrDbPerSecond[4].toFixed(1)} dB`);
    // The server saw one session throughout: every frame that went out was processed by it.
    const session = await api.getSession(id);
    const stats = session.stats as { framesProcessed: number; phase: string };
    assert.equal(stats.phase, 'controlling');
    assert.ok(stats.framesProcessed >= report.framesSent - report.framesLost - 2, `${stats.framesProcessed} processed of ${report.framesSent} sent`);
    await api.endSession(id);
  });
}
