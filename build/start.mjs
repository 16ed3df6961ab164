// `npm start`: runs the Electron app from this checkout. Where Electron cannot start (its binary was never
// downloaded, or there is no display), it says so and offers the same app in a browser: `npx sandpiper ui`.
// Usage: node build/start.mjs (after node build/build.mjs).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Electron's binary in node_modules, or null. Read from its path.txt: requiring `electron` would try to download it. */
export function electronBinary(dir = root) {
  const pkg = path.join(dir, 'node_modules', 'electron');
  const pathTxt = path.join(pkg, 'path.txt');
  if (!existsSync(pathTxt)) return null;
  const bin = path.join(pkg, 'dist', readFileSync(pathTxt, 'utf8').trim());
  return existsSync(bin) ? bin : null;
}

/** Why Electron cannot start here, or null. */
export function whyNoElectron(binary, env = process.env) {
  if (binary === null) return "Electron's binary is not installed (node_modules/electron was installed without its download)";
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return 'there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)';
  return null;
}

export const OFFER = 'Sandpiper can run in a browser instead: `npx sandpiper ui` serves the same app on 127.0.0.1 and prints its URL ' +
  '(over SSH: `npx sandpiper ui --no-open --port 8080` and `ssh -L 8080:127.0.0.1:8080 HOST`).\n';

function runUi() {
  const child = spawn(path.join(root, 'bin', 'sandpiper'), ['ui'], { stdio: 'inherit', cwd: root });
  // Ctrl-C reaches both; the ui command stops cleanly on it.
  process.on('SIGINT', () => {});
  child.on('exit', (code) => process.exit(code ?? 1));
}

async function main() {
  const binary = electronBinary();
  const why = whyNoElectron(binary);
  if (why === null) {
    const child = spawn(binary, [root], { stdio: 'inherit' });
    child.on('error', (e) => {
      process.stderr.write(`sandpiper: Electron cannot start: ${e.message}.\n${OFFER}`);
      process.exit(1);
    });
    child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
    return;
  }
  process.stderr.write(`sandpiper: Electron cannot start here: ${why}.\n${OFFER}`);
  if (!process.stdin.isTTY || !process.stderr.isTTY) process.exit(1);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = (await rl.question('Start `npx sandpiper ui` now? [Y/n] ')).trim().toLowerCase();
  rl.close();
  if (answer === '' || answer === 'y' || answer === 'yes') runUi();
  else process.exit(1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await main();
