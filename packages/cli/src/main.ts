/** Entry point of the `antiphase` command (bin/antiphase.js, `npm start`). See cli.ts for the dispatch. */
import { runCli } from './cli.js';

// A closed pipe (`antiphase … | head`) is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await runCli(process.argv.slice(2));
