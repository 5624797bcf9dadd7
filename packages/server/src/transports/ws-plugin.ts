/**
 * The thin Fastify adapter of the WebSocket transport: GET /api/v1/stream. The upgrade is authenticated in
 * preValidation (Authorization: Bearer, or ?token= for browsers), so bad credentials get HTTP 401 and no socket.
 * Everything after the upgrade is StreamConnection's (ws.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthService, Principal } from '../auth/service.js';
import { bearerToken } from '../auth/service.js';
import type { SessionService } from '../sessions.js';
import { StreamConnection } from './ws.js';

export interface WsPluginOptions {
  auth: AuthService;
  sessions: SessionService;
  queueFrames: number;
  /** Called with every connection (tests look at them). */
  onConnection?: (connection: StreamConnection) => void;
}

export const STREAM_PATH = '/api/v1/stream';

export function streamCredential(request: FastifyRequest): string | undefined {
  const fromHeader = bearerToken(request.headers.authorization);
  if (fromHeader) return fromHeader;
  const token = (request.query as { token?: unknown } | undefined)?.token;
  return typeof token === 'string' && token.length > 0 ? token : undefined;
}

export async function wsPlugin(app: FastifyInstance, options: WsPluginOptions): Promise<void> {
  app.route({
    method: 'GET',
    url: STREAM_PATH,
    schema: {
      summary: 'Binary audio stream (WebSocket upgrade; docs/protocol.md)',
      tags: ['stream'],
      querystring: { type: 'object', properties: { token: { type: 'string', description: 'JWT or API key, for browsers that cannot set headers' } } },
    },
    preValidation: async (request) => {
      (request as FastifyRequest & { principal?: Principal }).principal = await options.auth.authenticate(streamCredential(request));
    },
    websocket: true,
    handler: (socket, request) => {
      const principal = (request as FastifyRequest & { principal?: Principal }).principal!;
      socket.binaryType = 'nodebuffer';
      const connection = new StreamConnection({
        sessions: options.sessions,
        principal,
        queueFrames: options.queueFrames,
        socket: {
          send: (bytes) => {
            if (socket.readyState === socket.OPEN) socket.send(bytes, { binary: true });
          },
          close: (code, reason) => socket.close(code, reason),
          bufferedAmount: () => socket.bufferedAmount,
        },
      });
      options.onConnection?.(connection);
      socket.on('message', (data: Buffer, isBinary: boolean) => connection.onMessage(data, isBinary));
      socket.on('close', () => connection.onClose());
      socket.on('error', () => connection.onClose());
    },
  });
}
