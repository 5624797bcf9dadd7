/** WebRTC signalling (docs/protocol.md, "WebRTC"): one authenticated offer → answer, and the client's goodbye. */
import type { FastifyInstance } from 'fastify';
import { principalOf, requireAuth, type AppDeps } from '../app.js';
import { idParams } from './schemas.js';

const description = {
  type: 'object',
  properties: { type: { type: 'string' }, sdp: { type: 'string' } },
} as const;

export async function webrtcRoutes(app: FastifyInstance, { auth, webrtc }: AppDeps): Promise<void> {
  if (!webrtc) return; // ANTIPHASE_WEBRTC=false: the routes do not exist (404), clients fall back to WebSocket
  app.addHook('preHandler', requireAuth(auth));

  app.post('/webrtc/offer', {
    schema: {
      summary: 'Answer a WebRTC offer (non-trickle: the offer carries its ICE candidates): channels anc-control and anc-audio, or anc-control and an Opus audio track',
      tags: ['stream'], body: description,
      response: { 200: { type: 'object', properties: { peerId: { type: 'string' }, ...description.properties } }, '4xx': { $ref: 'Error#' } },
    },
  }, async (request) => webrtc.answer(principalOf(request), request.body));

  app.get<{ Params: { id: string } }>('/webrtc/peers/:id', {
    schema: { summary: 'A WebRTC peer: mode, connection state, session and (Opus track mode) jitter-buffer and codec counts', tags: ['stream'], params: idParams },
  }, async (request) => webrtc.view(principalOf(request), request.params.id));

  app.delete<{ Params: { id: string } }>('/webrtc/peers/:id', {
    schema: { summary: 'Close a WebRTC peer (its session ends if the stream created it)', tags: ['stream'], params: idParams },
  }, async (request, reply) => {
    webrtc.hangUp(principalOf(request), request.params.id);
    return reply.status(204).send();
  });
}
