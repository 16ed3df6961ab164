/**
 * The app's settings on disk: `$XDG_CONFIG_HOME/sandpiper/settings.json` (else `~/.config/...`), private to the
 * user. A missing, unreadable, oversized or malformed file means defaults, never a failed start; a save writes a
 * temporary file beside it and renames it over, so a crash mid-write leaves the old settings whole.
 */
import { mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync, closeSync, fsyncSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { settingsFromFile, type Settings } from '../shared/settings.ts';

/** Larger than any valid settings object; a bigger file is not ours. */
const MAX_FILE_BYTES = 256 * 1024;

/** Where settings live; SANDPIPER_CONFIG_DIR overrides the folder (tests, portable setups). */
export function defaultSettingsPath(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.SANDPIPER_CONFIG_DIR || path.join(env.XDG_CONFIG_HOME || path.join(env.HOME || homedir(), '.config'), 'sandpiper');
  return path.join(dir, 'settings.json');
}

export class SettingsFile {
  readonly path: string | null;
  /** Why the file on disk was not used as it is (null: it was, or there was none). */
  problem: string | null = null;

  #memory: Settings = settingsFromFile(null);

  /** `file` null keeps settings in memory only, for this process's life. */
  constructor(file: string | null) {
    this.path = file;
  }

  load(): Settings {
    this.problem = null;
    if (this.path === null) return settingsFromFile(this.#memory);
    let text: string;
    try {
      const buf = readFileSync(this.path);
      if (buf.length > MAX_FILE_BYTES) {
        this.problem = `${this.path} is larger than ${MAX_FILE_BYTES} bytes; using defaults`;
        return settingsFromFile(null);
      }
      text = buf.toString('utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.problem = `cannot read ${this.path}: ${(e as Error).message}`;
      return settingsFromFile(null);
    }
    try {
      return settingsFromFile(JSON.parse(text));
    } catch {
      this.problem = `${this.path} is not JSON; using defaults`;
      return settingsFromFile(null);
    }
  }

  /** Writes checked settings (see checkSettings). Throws the file system's error. */
  save(s: Settings): void {
    if (this.path === null) {
      this.#memory = settingsFromFile(s);
      return;
    }
    mkdirSync(path.dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${process.pid}.tmp`;
    // O_EXCL: never write through a file or link left at the temporary name (a crashed save's is removed first).
    let fd: number;
    try {
      fd = openSync(tmp, 'wx', 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      rmSync(tmp, { force: true });
      fd = openSync(tmp, 'wx', 0o600);
    }
    try {
      writeSync(fd, `${JSON.stringify(s, null, 2)}\n`);
      fsyncSync(fd);
    } catch (e) {
      closeSync(fd);
      rmSync(tmp, { force: true });
      throw e;
    }
    closeSync(fd);
    renameSync(tmp, this.path);
  }
}
