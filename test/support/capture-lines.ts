/**
 * `sandpiper capture --json` run by a system test: its JSON lines as they come, a stop that sends SIGINT and
 * resolves with the exit status, and the helpers to wait for a line and to take each flow's last line.
 */
import { spawn } from 'node:child_process';

export type Line = Record<string, unknown>;

export interface CaptureRun {
  lines: Line[];
  stop: () => Promise<{ code: number | null; err: string }>;
}

/** Runs `argv` (a command that ends up as `sandpiper capture --json ...`, exec'd in place so SIGINT reaches it). */
export function startCaptureLines(argv: string[]): CaptureRun {
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Line[] = [];
  let rest = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    const parts = (rest + d.toString()).split('\n');
    rest = parts.pop() ?? '';
    for (const l of parts) if (l.trim() !== '') lines.push(JSON.parse(l) as Line);
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<{ code: number | null; err: string }>((r) => child.on('close', (code) => r({ code, err })));
  return {
    lines,
    stop: () => {
      child.kill('SIGINT');
      return done;
    },
  };
}

export async function waitFor<T>(what: string, f: () => T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The last line of each flow (flows are printed again as they change). */
export function finalFlows(lines: Line[]): Line[] {
  const byId = new Map<unknown, Line>();
  for (const l of lines) if (l.type === 'flow') byId.set(l.id, l);
  return [...byId.values()];
}
