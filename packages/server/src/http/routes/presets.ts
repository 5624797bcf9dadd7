/** Control-filter preset banks: upload (a bank from `antiphase presets train`), list and get your own. */
import type { FastifyInstance } from 'fastify';
import { principalOf, requireAuth, type AppDeps } from '../app.js';
import { idParams, openObject } from './schemas.js';

const bankView = {
  type: 'object',
  properties: {
    id: { type: 'string' }, profile: { type: 'string' }, sampleRate: { type: 'integer' }, taps: { type: 'integer' },
    presets: { type: 'array', items: { type: 'string' } }, createdAt: { type: 'string' },
  },
} as const;

export async function presetRoutes(app: FastifyInstance, { auth, presets }: AppDeps): Promise<void> {
  app.addHook('preHandler', requireAuth(auth));

  app.post('/presets', {
    schema: {
      summary: 'Upload a control-filter preset bank for a device or room profile; sessions name it in config.presets',
      tags: ['presets'], body: openObject, response: { 201: bankView, '4xx': { $ref: 'Error#' } },
    },
  }, async (request, reply) => reply.status(201).send(await presets.create(principalOf(request), request.body)));

  app.get('/presets', {
    schema: { summary: 'Your preset banks, oldest first', tags: ['presets'], response: { 200: { type: 'object', properties: { banks: { type: 'array', items: bankView } } } } },
  }, async (request) => ({ banks: await presets.list(principalOf(request)) }));

  app.get<{ Params: { id: string } }>('/presets/:id', {
    schema: { summary: 'One of your preset banks', tags: ['presets'], params: idParams, response: { 200: bankView, '4xx': { $ref: 'Error#' } } },
  }, async (request) => presets.get(principalOf(request), request.params.id));
}
