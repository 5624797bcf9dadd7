// Worker bootstrap (session workers and the background thread). The packages run as TypeScript under tsx (no build
// step). A worker inherits the parent's `--import tsx`, but not under every launcher (children of `node --test`, for one), and a failed import is cached,
// so probe with a throwaway module first and register tsx only when TypeScript does not load.
try {
  await import('./worker-probe.ts');
} catch (error) {
  if (error?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
  const { register } = await import('tsx/esm/api');
  register();
}
// workerData.module: which thread this is (default: a session worker, worker.ts; background.ts names its own).
const { workerData } = await import('node:worker_threads');
await import(workerData?.module ?? './worker.ts');
