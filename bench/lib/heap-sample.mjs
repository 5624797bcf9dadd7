/**
 * A preload for the server process of bench:server that measures how much the main thread allocates, including
 * what young-generation collections reclaim at once (per-frame garbage is exactly that, and V8's sampling heap
 * profiler leaves it out by default):
 *
 *   npm run bench:server -- --transports ws --frames 32 --sessions 10 --settle 2 --measure 10 \
 *     --server-args="--import ./bench/lib/heap-sample.mjs"
 *
 * ANTIPHASE_HEAP_SAMPLE="START,SECONDS" (default "6,5": seconds after start-up, so inside the measured window of
 * the command above, and how long) chooses the window. At its end the process prints one line to stderr,
 * `heap-sample {json}`: bytes allocated per second, and the top allocating functions (self bytes per second, with
 * file and line). Divide by the frames per second of the step for bytes per frame.
 */
import { Session } from 'node:inspector';
import { setTimeout } from 'node:timers';
import { isMainThread } from 'node:worker_threads';

if (isMainThread) {
  const [start, seconds] = (process.env.ANTIPHASE_HEAP_SAMPLE ?? '6,5').split(',').map(Number);
  const session = new Session();
  session.connect();
  const post = (method, params = {}) => new Promise((resolve, reject) => {
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result)));
  });

  /** Self bytes per call site of the sampled profile tree. */
  function bySite(node, sites) {
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName || '(anonymous)'} ${url.replace(/^file:\/\//, '').replace(process.cwd() + '/', '')}:${lineNumber + 1}`;
    sites.set(key, (sites.get(key) ?? 0) + node.selfSize);
    for (const child of node.children) bySite(child, sites);
    return sites;
  }

  setTimeout(async () => {
    await post('HeapProfiler.enable');
    await post('HeapProfiler.startSampling', {
      samplingInterval: 1024, includeObjectsCollectedByMinorGC: true, includeObjectsCollectedByMajorGC: true,
    });
    setTimeout(async () => {
      const { profile } = await post('HeapProfiler.stopSampling');
      const sites = [...bySite(profile.head, new Map())].sort((a, b) => b[1] - a[1]);
      const total = sites.reduce((sum, [, bytes]) => sum + bytes, 0);
      const perSecond = (bytes) => Math.round(bytes / seconds);
      console.error(`heap-sample ${JSON.stringify({
        seconds, bytesPerSecond: perSecond(total), top: sites.slice(0, 25).map(([site, bytes]) => ({ site, bytesPerSecond: perSecond(bytes) })),
      })}`);
    }, seconds * 1000).unref();
  }, start * 1000).unref();
}
