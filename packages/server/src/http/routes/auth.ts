/** POST /auth/register, POST /auth/login, GET /auth/me. */
import type { FastifyInstance } from 'fastify';
import { bearerToken } from '../../auth/service.js';
import { principalOf, requireAuth, type AppDeps } from '../app.js';
import { userSchema } from './schemas.js';

const credentials = {
  type: 'object',
  required: ['email', 'password'],
  properties: { email: { type: 'string', maxLength: 254 }, password: { type: 'string', maxLength: 1024 } },
} as const;

export async function authRoutes(app: FastifyInstance, { auth }: AppDeps): Promise<void> {
  app.post<{ Body: { email: string; password: string } }>('/auth/register', {
    schema: {
      summary: 'Create an account (the first account becomes admin). With registration closed, only an admin may call it.',
      tags: ['auth'], security: [], body: credentials,
      response: { 201: userSchema, '4xx': { $ref: 'Error#' } },
    },
  }, async (request, reply) => {
    const header = bearerToken(request.headers.authorization);
    const caller = header ? await auth.authenticate(header) : undefined;
    const user = await auth.register(request.body.email, request.body.password, caller);
    return reply.status(201).send(user);
  });

  app.post<{ Body: { email: string; password: string } }>('/auth/login', {
    schema: {
      summary: 'Exchange email and password for a JWT (HS256; claims sub, role, exp)', tags: ['auth'], security: [], body: credentials,
      response: {
        200: {
          type: 'object',
          properties: { token: { type: 'string' }, tokenType: { type: 'string' }, expiresAt: { type: 'string' }, user: userSchema },
        },
        '4xx': { $ref: 'Error#' },
      },
    },
  }, async (request) => auth.login(request.body.email, request.body.password));

  app.get('/auth/me', {
    schema: { summary: 'The authenticated user', tags: ['auth'], response: { 200: userSchema, '4xx': { $ref: 'Error#' } } },
    preHandler: requireAuth(auth),
  }, async (request) => auth.user(principalOf(request).userId));
}
