/** POST /api-keys (the key is returned once, in clear), GET /api-keys (no secrets), DELETE /api-keys/:id (revoke). */
import type { FastifyInstance } from 'fastify';
import { principalOf, requireAuth, type AppDeps } from '../app.js';
import { apiKeySchema, idParams } from './schemas.js';

export async function apiKeyRoutes(app: FastifyInstance, { auth }: AppDeps): Promise<void> {
  app.addHook('preHandler', requireAuth(auth));

  app.post<{ Body: { name?: string } | undefined }>('/api-keys', {
    schema: {
      summary: 'Create an API key; the response holds the key in clear, the only time it is shown', tags: ['api-keys'],
      body: { type: 'object', properties: { name: { type: 'string', maxLength: 100 } } },
      response: {
        201: { type: 'object', properties: { ...apiKeySchema.properties, key: { type: 'string', description: 'ap_<prefix>_<secret>' } } },
        '4xx': { $ref: 'Error#' },
      },
    },
  }, async (request, reply) => reply.status(201).send(await auth.createApiKey(principalOf(request), request.body?.name)));

  app.get('/api-keys', {
    schema: { summary: 'List your API keys (without secrets)', tags: ['api-keys'], response: { 200: { type: 'object', properties: { apiKeys: { type: 'array', items: apiKeySchema } } } } },
  }, async (request) => ({ apiKeys: await auth.listApiKeys(principalOf(request)) }));

  app.delete<{ Params: { id: string } }>('/api-keys/:id', {
    schema: { summary: 'Revoke an API key; it stops working at once', tags: ['api-keys'], params: idParams, response: { '4xx': { $ref: 'Error#' } } },
  }, async (request, reply) => {
    await auth.revokeApiKey(principalOf(request), request.params.id);
    return reply.status(204).send();
  });
}
