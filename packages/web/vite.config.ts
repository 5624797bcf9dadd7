import { defineConfig } from 'vite';

// The service serves dist/ at `/` (packages/server/src/http/web.ts); the dev server proxies /api to it.
export default defineConfig({
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  server: { proxy: { '/api': { target: 'http://localhost:8080', ws: true } } },
});
