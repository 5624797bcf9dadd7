// Worker bootstrap. The packages run as TypeScript under tsx (no build step). A worker inherits the parent's
// `--import tsx`, but not under every launcher (children of `node --test`, for one), and a failed import is cached,
// so probe with a throwaway module first and register tsx only when TypeScript does not load.
try {
  await import('./worker-probe.ts');
} catch (error) {
  if (error?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
  const { register } = await import('tsx/esm/api');
  register();
}
await import('./worker.ts');
