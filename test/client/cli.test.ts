/**
 * The live commands of the CLI against a real server: `antiphase serve`, `antiphase stream` and
 * `antiphase loadtest` run as child processes, exactly as a user runs them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiClient } from '@antiphase/client';
import { antiphase, startTestServer, tempDir } from './support.js';

const LOADTEST_FIELDS = [
  'rttMsP50', 'rttMsP95', 'rttMsP99', 'framesSent', 'framesLate', 'framesLost', 'meanNrDb', 'sessions', 'durationS',
  'transport', 'frameSize', 'loadGeneratorCpuPercent',
] as const;

test('serve, stream and loadtest print their usage with --help, and bad options are usage errors (exit 2)', async () => {
  const runs = await Promise.all([
    antiphase(['serve', '--help']), antiphase(['stream', '-h']), antiphase(['loadtest', '--help', '--bogus']),
    antiphase(['stream', '--transport', 'udp']), antiphase(['loadtest', '--sessions', '0']), antiphase(['stream', '--scene', 'rain']),
  ]);
  for (const [i, command] of ['serve', 'stream', 'loadtest'].entries()) {
    assert.equal(runs[i].code, 0, runs[i].stderr);
    assert.match(runs[i].stdout, new RegExp(`^Usage: antiphase ${command}`));
    assert.match(runs[i].stdout, /-h, --help/);
  }
  assert.match(runs[1].stdout, /--transport ws\|grpc\|webrtc[\s\S]*--frame SAMPLES[\s\S]*causal|cancellable/);
  assert.match(runs[2].stdout, /--json[\s\S]*rttMsP50/);
  assert.equal(runs[3].code, 2);
  assert.match(runs[3].stderr, /^antiphase stream: error: --transport must be ws, grpc or webrtc, got 'udp'\n$/);
  assert.equal(runs[4].code, 2);
  assert.match(runs[4].stderr, /^antiphase loadtest: error: --sessions must be a whole number from 1/);
  assert.equal(runs[5].code, 2);
  assert.match(runs[5].stderr, /^antiphase stream: error: unknown scene 'rain'/);
});

test('stream fails with one clear line (exit 1) when the service is unreachable or closed to registration', async (t) => {
  const server = await startTestServer(t, { allowRegistration: false });
  // The first account may always register (it becomes admin); after it, registration is closed.
  await new ApiClient({ baseUrl: server.url }).register('admin@example.invalid', 'correct horse battery staple');
  const [closed, unreachable] = await Promise.all([
    antiphase(['stream', '--url', server.url, '--seconds', '1']),
    antiphase(['stream', '--url', 'http://127.0.0.1:9', '--seconds', '1']),
  ]);
  assert.equal(closed.code, 1, closed.stderr);
  assert.match(closed.stderr, /^antiphase stream: error: http:\/\/127\.0\.0\.1:\d+ does not allow self-registration; pass --api-key KEY/);
  assert.equal(unreachable.code, 1, unreachable.stderr);
  assert.match(unreachable.stderr, /^antiphase stream: error: cannot reach http:\/\/127\.0\.0\.1:9 while registering a throwaway user/);
  assert.doesNotMatch(closed.stderr + unreachable.stderr, /\n\s+at /);
});

test('serve listens, answers, and stops cleanly on Ctrl-C (exit 0)', async (t) => {
  const dataDir = tempDir(t);
  let url: string | null = null;
  let healthy = false;
  const run = await antiphase(['serve', '--port', '0', '--grpc-port', '0', '--data-dir', dataDir, '--workers', '0'], {
    onStdout: (text, child) => {
      const match = /listening on (http:\/\/\S+)/.exec(text);
      if (match && url === null) {
        url = match[1];
        void fetch(`${url}/health`).then(async (response) => {
          healthy = response.ok && (await response.json() as { status: string }).status === 'ok';
          child.kill('SIGINT');
        }, () => child.kill('SIGINT'));
      }
    },
  });
  assert.equal(run.code, 0, run.stderr);
  assert.ok(url, run.stdout);
  assert.ok(healthy, 'GET /health answered ok');
  assert.match(run.stdout, /gRPC anc\.ANCService on 127\.0\.0\.1:\d+/);
  assert.match(run.stdout, /SIGINT: closing[\s\S]*stopped\n$/);
});

test('stream runs one live session and prints the NR of each second', async (t) => {
  const server = await startTestServer(t);
  const run = await antiphase(['stream', '--url', server.url, '--seconds', '2', '--scene', 'engine', '--frame', '160']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^antiphase stream: session \S+ over WebSocket http:\/\/127\.0\.0\.1:\d+ \(throwaway user /);
  assert.match(run.stdout, /causality margin -228 samples \(negative: only periodic noise can be cancelled\)/);
  assert.match(run.stdout, /^t= {2}1s {2}NR +-?\d+\.\d dB .*\(identifying\)$/m);
  assert.match(run.stdout, /^t= {2}2s {2}NR +-?\d+\.\d dB /m);
  assert.match(run.stdout, /^done: 2\.0 s of audio; .*frames sent 200, late \d+, lost \d+; rtt p50/m);
});

for (const transport of ['ws', 'grpc'] as const) {
  test(`loadtest --json with 4 sessions for 3 s over ${transport} reports the documented fields`, async (t) => {
    const server = await startTestServer(t);
    const run = await antiphase([
      'loadtest', '--sessions', '4', '--transport', transport, '--duration', '3', '--json', '--url', server.url,
      '--grpc-port', String(server.grpcPort),
    ]);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trim().split('\n');
    assert.equal(lines.length, 1, 'stdout is one JSON object');
    const result = JSON.parse(lines[0]) as Record<string, unknown>;
    for (const field of LOADTEST_FIELDS) assert.ok(field in result, `${field} is present`);
    t.diagnostic(`${transport}: ${LOADTEST_FIELDS.map((f) => `${f}=${typeof result[f] === 'number' ? (result[f] as number).toFixed(2) : String(result[f])}`).join(' ')}`);
    assert.equal(result.sessions, 4);
    assert.equal(result.durationS, 3);
    assert.equal(result.transport, transport);
    assert.equal(result.frameSize, 32);
    // 4 rooms × 3 s × 500 frames/s: each one sent, or dropped by the client's back-pressure (a loaded machine).
    assert.equal((result.framesSent as number) + (result.framesUnsent as number), 6000);
    assert.ok((result.framesSent as number) > 0);
    const late = result.framesLate as number;
    const lost = result.framesLost as number;
    assert.ok(Number.isInteger(late) && Number.isInteger(lost) && late + lost <= (result.framesSent as number));
    const [p50, p95, p99] = [result.rttMsP50, result.rttMsP95, result.rttMsP99] as number[];
    assert.ok(p50 > 0 && p50 <= p95 && p95 <= p99, `${p50} ≤ ${p95} ≤ ${p99}`);
    assert.ok(typeof result.meanNrDb === 'number' && Number.isFinite(result.meanNrDb));
    assert.ok((result.loadGeneratorCpuPercent as number) > 0);
    assert.match(run.stderr, /^antiphase loadtest: 4 sessions over /);
  });
}
