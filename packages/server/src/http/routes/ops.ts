/** Operational endpoints at the root: GET /health (liveness), GET /ready, GET /metrics, GET /openapi.json. */
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app.js';

const READY_TIMEOUT_MS = 2000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    promise.then((v) => { clearTimeout(timer); resolve(v); }, (e) => { clearTimeout(timer); reject(e); });
  });
}

export async function opsRoutes(app: FastifyInstance, { store, engine, metrics, sessions }: AppDeps): Promise<void> {
  app.get('/health', {
    schema: { summary: 'Liveness: the process serves HTTP', tags: ['ops'], security: [], response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } },
  }, async () => ({ status: 'ok' }));

  app.get('/ready', {
    schema: {
      summary: 'Readiness: the database answers and every engine worker answers', tags: ['ops'], security: [],
      response: { '2xx': { type: 'object', additionalProperties: true }, '5xx': { type: 'object', additionalProperties: true } },
    },
  }, async (_request, reply) => {
    const checks: Record<string, string> = {};
    let ok = true;
    try {
      await withTimeout(store.ping(), READY_TIMEOUT_MS, 'the database');
      checks.database = 'ok';
    } catch (error) {
      ok = false;
      checks.database = (error as Error).message;
    }
    try {
      if (engine.closed) throw new Error('the engine is closed');
      // listSessions asks every worker thread: an answer from all of them means the pool is up.
      await withTimeout(engine.listSessions(), READY_TIMEOUT_MS, 'the engine workers');
      checks.engine = `ok (${engine.workerCount} workers)`;
    } catch (error) {
      ok = false;
      checks.engine = (error as Error).message;
    }
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready', checks, liveSessions: sessions.liveCount });
  });

  app.get('/metrics', { schema: { summary: 'Prometheus metrics (text exposition format)', tags: ['ops'], security: [] } }, async (_request, reply) => {
    return reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.get('/openapi.json', { schema: { summary: 'This API as OpenAPI 3', tags: ['ops'], security: [] } }, async () => app.swagger());
}
