/**
 * The Fastify application: plugins (OpenAPI, multipart, WebSocket), the error mapping onto the catalogue of
 * errors.ts, request metrics, and the routes under /api/v1 plus the operational endpoints at the root.
 */
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import multipart from '@fastify/multipart';
import websocket from '@fastify/websocket';
import type { Engine } from '@antiphase/engine';
import type { ServerConfig } from '../config.js';
import { ApiError, errorBody, toApiError, type ApiErrorCode } from '../errors.js';
import type { AuthService, Principal } from '../auth/service.js';
import { bearerToken } from '../auth/service.js';
import type { JobRunner } from '../jobs/runner.js';
import type { ServerMetrics } from '../metrics.js';
import type { PresetService } from '../presets.js';
import type { SessionService } from '../sessions.js';
import type { Store } from '../store/types.js';
import { wsPlugin, type WsPluginOptions } from '../transports/ws-plugin.js';
import { WS_MAX_PAYLOAD } from '../transports/ws.js';
import { authRoutes } from './routes/auth.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { presetRoutes } from './routes/presets.js';
import { sessionRoutes } from './routes/sessions.js';
import { jobRoutes } from './routes/jobs.js';
import { opsRoutes } from './routes/ops.js';
import { webrtcRoutes } from './routes/webrtc.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { webPlugin } from './web.js';
import type { WebRtcTransport } from '../transports/webrtc.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export interface AppDeps {
  config: ServerConfig;
  store: Store;
  auth: AuthService;
  sessions: SessionService;
  jobs: JobRunner;
  engine: Engine;
  metrics: ServerMetrics;
  presets: PresetService;
  /** Null when ANTIPHASE_WEBRTC=false. */
  webrtc: WebRtcTransport | null;
  onStreamConnection?: WsPluginOptions['onConnection'];
}

/** preHandler: the caller's principal, or 401. */
export function requireAuth(auth: AuthService) {
  return async (request: FastifyRequest): Promise<void> => {
    request.principal = await auth.authenticate(bearerToken(request.headers.authorization));
  };
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new ApiError('UNAUTHORIZED', 'not authenticated');
  return request.principal;
}

export const errorSchema = {
  $id: 'Error',
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' } },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
} as const;

/** Fastify's own errors, mapped onto the catalogue. */
function fastifyErrorCode(error: FastifyError): ApiErrorCode | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_PARTS_LIMIT':
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return 'PAYLOAD_TOO_LARGE';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return 'UNSUPPORTED_MEDIA_TYPE';
  }
  if (error.validation) return 'BAD_REQUEST';
  const status = error.statusCode ?? 500;
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (status === 415) return 'UNSUPPORTED_MEDIA_TYPE';
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 404) return 'NOT_FOUND';
  if (status >= 400 && status < 500) return 'BAD_REQUEST';
  return undefined;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
    bodyLimit: config.maxBodyBytes,
    // Bodies are validated by the schemas; coercion stays on for query strings (?all=true, ?limit=10).
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false } },
  });

  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof ApiError || error.name === 'EngineError') {
      const api = toApiError(error);
      return reply.status(api.status).send(errorBody(api.code, api.message));
    }
    const code = fastifyErrorCode(error);
    if (code === 'PAYLOAD_TOO_LARGE') {
      const limit = request.url.startsWith('/api/v1/jobs') ? config.maxUploadBytes : config.maxBodyBytes;
      const variable = request.url.startsWith('/api/v1/jobs') ? 'ANTIPHASE_MAX_UPLOAD_BYTES' : 'ANTIPHASE_MAX_BODY_BYTES';
      return reply.status(413).send(errorBody(code, `request body exceeds the limit of ${limit} bytes (${variable})`));
    }
    if (code !== undefined) {
      const api = new ApiError(code, error.message);
      return reply.status(api.status).send(errorBody(code, error.message));
    }
    request.log.error(error);
    return reply.status(500).send(errorBody('INTERNAL', 'internal server error'));
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(errorBody('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`));
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    deps.metrics.httpDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Antiphase API', version: '1', description: 'Real-time active noise control: sessions, streaming, file jobs' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'JWT from /api/v1/auth/login, or an API key ap_<prefix>_<secret>' } } },
      security: [{ bearer: [] }],
    },
  });
  app.addSchema(errorSchema);
  await app.register(multipart, {
    limits: { fileSize: config.maxUploadBytes, files: 3, fields: 4, fieldSize: 64 * 1024, parts: 8 },
  });
  await app.register(websocket, { options: { maxPayload: WS_MAX_PAYLOAD } });

  await app.register(opsRoutes, deps);
  await app.register(webPlugin, {});
  await app.register(async (api) => {
    await api.register(authRoutes, deps);
    await api.register(apiKeyRoutes, deps);
    await api.register(sessionRoutes, deps);
    await api.register(jobRoutes, deps);
    await api.register(presetRoutes, deps);
    await api.register(webrtcRoutes, deps);
    await api.register(dashboardRoutes, deps);
  }, { prefix: '/api/v1' });
  await app.register(wsPlugin, {
    auth: deps.auth, sessions: deps.sessions, queueFrames: config.streamQueueFrames, onConnection: deps.onStreamConnection,
  });
  return app;
}
