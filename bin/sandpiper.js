#!/usr/bin/env node
// Entry point for `npx sandpiper`: runs the built CLI bundle.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli', 'sandpiper.js');
if (!existsSync(cli)) {
  process.stderr.write('sandpiper: the CLI is not built yet; run `npm run build` in the checkout first\n');
  process.exit(1);
}
await import(pathToFileURL(cli).href);
