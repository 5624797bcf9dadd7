/**
 * The web dashboard (packages/web, built by `npm run build` into packages/web/dist) served at `/`. Only the built
 * files are served — the dashboard talks to the same origin's /api, so no CORS is needed. Where dist is missing (a
 * checkout that was never built), `/` answers 503 in plain text saying how to build it, rather than a bare 404.
 * Unknown paths keep the app's JSON 404 (the not-found handler), so /api behaves exactly as before.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

/** packages/web/dist, found from this file so that it does not depend on the working directory. */
export const WEB_DIST = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

export async function webPlugin(app: FastifyInstance, options: { root?: string }): Promise<void> {
  const root = options.root ?? WEB_DIST;
  if (!existsSync(join(root, 'index.html'))) {
    app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.status(503).type('text/plain; charset=utf-8')
      .send(`The web dashboard is not built (${root} has no index.html). Run \`npm run build\` and restart the service.\n`));
    return;
  }
  // wildcard: false registers one route per file found at start-up, so a request for a missing file falls through
  // to the JSON 404 instead of a filesystem lookup per unknown URL.
  // Cross-origin isolation (COOP + COEP): the demo's AudioWorklet times its render quanta with the only clock that
  // scope has, which browsers coarsen to 100 µs unless the page is isolated (5 µs then). The app loads nothing
  // cross-origin, so nothing breaks.
  await app.register(fastifyStatic, {
    root, wildcard: false, index: 'index.html', cacheControl: false, schemaHide: true,
    setHeaders: (reply) => {
      reply.header('Cross-Origin-Opener-Policy', 'same-origin');
      reply.header('Cross-Origin-Embedder-Policy', 'require-corp');
    },
  });
}
