/**
 * Presets end to end: `antiphase presets train` on the virtual room's profile (its paths and the network loop's
 * playout delay), `antiphase presets upload` with an API key, then a session naming the bank warm-starts from a
 * preset (hybrid SFANC-FxNLMS) and cancels in its first second of control, where FxNLMS from zero has barely begun.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VirtualRoom, WsStreamClient } from '@antiphase/client';
import { antiphase, signedUpClient, startTestServer, tempDir } from './support.js';

test('a preset bank trained and uploaded with the CLI warm-starts a streaming session (≥ 15 dB in its first second of control)', async (t) => {
  const server = await startTestServer(t);
  const api = await signedUpClient(server);
  const { key } = await api.createApiKey('presets');
  const dir = tempDir(t);
  const roomOptions = { scene: 'broadband' as const, frameSize: 32, pace: false, slotDeadlineMs: 250, identificationS: 1 };
  const probe = new VirtualRoom(roomOptions);
  const config = probe.sessionConfig();
  const writePath = (name: string, taps: Float32Array): string => {
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify({ sampleRate: 16000, taps: Array.from(taps) }));
    return file;
  };
  const bankFile = join(dir, 'room-bank.json');
  const trained = await antiphase([
    'presets', 'train', '--primary', writePath('primary.json', probe.primaryPath), '--secondary', writePath('secondary.json', probe.secondaryPath),
    '--loop-latency', String(config.playoutDelayFrames! * 32), '--taps', String(config.taps), '--kinds', 'bands', '--duration', '2', '--out', bankFile,
  ]);
  assert.equal(trained.code, 0, trained.stderr);
  assert.match(trained.stdout, /15 presets of 128 taps at 16000 Hz/);

  const uploaded = await antiphase(['presets', 'upload', bankFile, '--api-key', key, '--url', server.url]);
  assert.equal(uploaded.code, 0, uploaded.stderr);
  const bankId = uploaded.stdout.trim();
  const listed = await api.get<{ banks: { id: string; presets: string[] }[] }>('/presets');
  assert.deepEqual(listed.banks.map((b) => b.id), [bankId]);

  const firstControlSecond = async (presets: string | undefined): Promise<number> => {
    const client = new WsStreamClient();
    t.after(() => client.close());
    const room = new VirtualRoom(roomOptions);
    await client.connect({ url: server.url, token: api.token, config: { ...room.sessionConfig(), ...(presets ? { presets } : {}) } });
    const report = await room.run(client, { durationS: 2 });
    return report.nrDbPerSecond[1];
  };
  const fromZero = await firstControlSecond(undefined);
  const hybrid = await firstControlSecond(bankId);
  t.diagnostic(`first second of control: FxNLMS from zero ${fromZero.toFixed(1)} dB, hybrid ${hybrid.toFixed(1)} dB`);
  assert.ok(hybrid >= 15, `hybrid ${hybrid.toFixed(1)} dB`);
  assert.ok(hybrid >= fromZero + 5, `from zero ${fromZero.toFixed(1)} dB`);

  // Someone else's bank, or none, is refused by name.
  const other = await signedUpClient(server);
  await assert.rejects(other.createSession({ ...config, presets: bankId }), /presets: you have no preset bank/);
  const bad = await antiphase(['presets', 'upload', trained.stdout ? join(dir, 'primary.json') : '', '--api-key', key, '--url', server.url]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /not a preset bank/);
});
