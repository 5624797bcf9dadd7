// Worker bootstrap (as packages/engine/src/worker-entry.mjs): the package runs as TypeScript under tsx. A worker
// inherits the parent's `--import tsx`, but not under every launcher, and a failed import is cached, so probe with
// a throwaway module first and register tsx only when TypeScript does not load.
try {
  await import('./generate-worker-probe.ts');
} catch (error) {
  if (error?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
  const { register } = await import('tsx/esm/api');
  register();
}
await import('./generate-worker.ts');
