#!/usr/bin/env node
// The research-team demo: `node dist/main.js --help` for the options.
import { runCli } from './cli.js';

// `node dist/main.js | head` closes the pipe early: stop quietly instead of crashing on EPIPE.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

process.exitCode = await runCli(process.argv.slice(2));
