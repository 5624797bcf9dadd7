// Bootstrap of a load-generator thread: worker threads do not get the bench's `--import tsx`, so register it here.
const { register } = await import('tsx/esm/api');
register();
await import('./loadgen-thread.ts');
