// Worker bootstrap for file jobs. The packages run as TypeScript under tsx (no build step). A worker thread does
// not always get the parent's tsx loader (Node 20 runs module.register hooks per thread), so when .ts does not
// load, register tsx here and import again. The second import needs another URL: the ESM loader caches the
// failed one.
try {
  await import('./worker.ts');
} catch (error) {
  if (error?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
  const { register } = await import('tsx/esm/api');
  register();
  await import('./worker.ts?tsx');
}
