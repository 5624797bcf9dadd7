/** Imported by generate-worker-entry.mjs to find out whether TypeScript loads in this thread. */
export const typescriptLoads: boolean = true;
