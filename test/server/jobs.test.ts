import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readWav } from '@antiphase/dsp';
import { api, recordingPair, startTestServer, userToken } from './helpers.js';

function form(files: Record<string, Uint8Array | string>, config?: unknown): FormData {
  const data = new FormData();
  for (const [name, bytes] of Object.entries(files)) data.append(name, new Blob([bytes as BlobPart]), `${name}.wav`);
  if (config !== undefined) data.append('config', JSON.stringify(config));
  return data;
}

async function poll(server: { url: string }, token: string, id: string): Promise<{ status: string; error: string | null }> {
  for (let i = 0; i < 600; i++) {
    const reply = await api(server, 'GET', `/api/v1/jobs/${id}`, { token });
    if (reply.body.status === 'done' || reply.body.status === 'failed') return reply.body;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the job did not finish');
}

test('a file job: multipart upload → 202 → poll → the cleaned WAV and a report', async (t) => {
  const server = await startTestServer(t);
  const token = await userToken(server, 'jobs@example.com');
  const other = await userToken(server, 'other@example.com');
  const pair = recordingPair(2);
  const accepted = await api(server, 'POST', '/api/v1/jobs', { token, body: form({ primary: pair.primary, reference: pair.reference, clean: pair.clean }, { taps: 32, stepSize: 0.05 }) });
  assert.equal(accepted.status, 202);
  const id = accepted.body.id;
  assert.equal((await api(server, 'GET', `/api/v1/jobs/${id}`, { token: other })).status, 404);

  const job = await poll(server, token, id);
  assert.equal(job.status, 'done', job.error ?? undefined);
  const result = await api(server, 'GET', `/api/v1/jobs/${id}/result`, { token });
  assert.equal(result.status, 200);
  assert.equal(result.headers.get('content-type'), 'audio/wav');
  const wav = readWav(result.body);
  assert.equal(wav.sampleRate, 16000);
  assert.equal(wav.channels.length, 1);
  assert.equal(wav.channels[0].length, 32000);

  const report = (await api(server, 'GET', `/api/v1/jobs/${id}/report`, { token })).body;
  assert.ok(report.noiseReductionDb > 3, `NR ${report.noiseReductionDb} dB`);
  assert.ok(report.outputSnrDb > report.inputSnrDb + 10, `SNR ${report.inputSnrDb} → ${report.outputSnrDb} dB`);
  assert.equal(report.sampleRate, 16000);
  assert.equal(report.processedSamples, 32000);
  assert.equal(report.taps, 32);
  assert.equal(report.stepSize, 0.05);
  assert.deepEqual(report.primary, { samples: 32000, channels: 1 });
  assert.equal((await api(server, 'GET', `/api/v1/jobs/${id}/report`, { token: other })).status, 404);
});

test('a file job from JSON with base64 fields, default options', async (t) => {
  const server = await startTestServer(t);
  const token = await userToken(server, 'b64@example.com');
  const pair = recordingPair(0.5);
  const accepted = await api(server, 'POST', '/api/v1/jobs', {
    token, json: { primary: Buffer.from(pair.primary).toString('base64'), reference: Buffer.from(pair.reference).toString('base64') },
  });
  assert.equal(accepted.status, 202);
  const job = await poll(server, token, accepted.body.id);
  assert.equal(job.status, 'done');
  const report = (await api(server, 'GET', `/api/v1/jobs/${accepted.body.id}/report`, { token })).body;
  assert.equal(report.taps, 256);
  assert.equal(report.inputSnrDb, null);
});

test('uploads that are not WAV, incomplete, mismatched or badly configured are 400 naming the problem', async (t) => {
  const server = await startTestServer(t);
  const token = await userToken(server, 'bad@example.com');
  const pair = recordingPair(0.25);
  const other = recordingPair(0.25, 8000);
  const cases: [string, FormData, string, RegExp][] = [
    ['text as primary', form({ primary: 'just some text, no RIFF here', reference: pair.reference }), 'INVALID_AUDIO', /primary is not a WAV file/],
    ['png as reference', form({ primary: pair.primary, reference: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0, 0, 0, 0, 0]) }), 'INVALID_AUDIO', /reference is not a WAV file/],
    ['missing reference', form({ primary: pair.primary }), 'BAD_REQUEST', /missing the reference WAV file/],
    ['rates differ', form({ primary: pair.primary, reference: other.reference }), 'INVALID_AUDIO', /sample rates differ/],
    ['bad option', form({ primary: pair.primary, reference: pair.reference }, { stepSize: 5 }), 'BAD_REQUEST', /stepSize/],
    ['unknown option', form({ primary: pair.primary, reference: pair.reference }, { speed: 'fast' }), 'BAD_REQUEST', /config\.speed/],
  ];
  for (const [what, body, code, message] of cases) {
    const reply = await api(server, 'POST', '/api/v1/jobs', { token, body });
    assert.equal(reply.status, 400, what);
    assert.equal(reply.body.error.code, code, what);
    assert.match(reply.body.error.message, message, what);
  }
});

test('an upload over ANTIPHASE_MAX_UPLOAD_BYTES is 413', async (t) => {
  const server = await startTestServer(t, { maxUploadBytes: 16 * 1024 });
  const token = await userToken(server, 'huge@example.com');
  const pair = recordingPair(1); // 64 kB per file as float32
  const reply = await api(server, 'POST', '/api/v1/jobs', { token, body: form({ primary: pair.primary, reference: pair.reference }) });
  assert.equal(reply.status, 413);
  assert.equal(reply.body.error.code, 'PAYLOAD_TOO_LARGE');
  const json = await api(server, 'POST', '/api/v1/jobs', {
    token, json: { primary: Buffer.from(pair.primary).toString('base64'), reference: Buffer.from(pair.reference).toString('base64') },
  });
  assert.equal(json.status, 413);
});
