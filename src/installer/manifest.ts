/**
 * The helper bundle's hash manifest: `sha256sum` format (`<hex>  <name>`), one line per regular file. The app
 * carries its own copy (see build-info.ts); an installed directory is only trusted when every file in it matches.
 */
import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** File name (relative, '/'-separated) → lowercase hex SHA-256. */
export type Manifest = ReadonlyMap<string, string>;

const NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,127}(?:\/[A-Za-z0-9_][A-Za-z0-9_.+-]{0,127}){0,7}$/;
const LINE_RE = /^([0-9a-fA-F]{64}) [ *](.+)$/;

export class ManifestError extends Error {}

export function isSafeName(name: string): boolean {
  return NAME_RE.test(name) && !name.split('/').some((p) => p === '.' || p === '..');
}

export function parseSums(text: string): Manifest {
  const m = new Map<string, string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (line === '') continue;
    const hit = LINE_RE.exec(line);
    if (hit === null) throw new ManifestError(`line ${i + 1} of the hash manifest is not '<sha256>  <name>'`);
    const name = hit[2].replace(/^\.\//, '');
    if (!isSafeName(name)) throw new ManifestError(`line ${i + 1} of the hash manifest names an unsafe path '${name}'`);
    if (m.has(name)) throw new ManifestError(`the hash manifest lists '${name}' twice`);
    m.set(name, hit[1].toLowerCase());
  }
  if (m.size === 0) throw new ManifestError('the hash manifest is empty');
  return m;
}

export function formatSums(m: Manifest): string {
  return [...m.keys()].sort().map((k) => `${m.get(k)}  ${k}\n`).join('');
}

/**
 * File name → size in bytes, for the same files as the hash manifest: the root step refuses a source file of any
 * other size before copying a byte, and never copies more than this.
 */
export type FileSizes = ReadonlyMap<string, number>;

/** No file of the helper bundle comes near this (the Node runtime is the largest). */
export const MAX_BUNDLE_FILE_BYTES = 512 * 1024 * 1024;

/** Sizes of the manifest's files in `dir`, following links as the install's copy does; absent files are left out. */
export function fileSizes(dir: string, m: Manifest): FileSizes {
  const sizes = new Map<string, number>();
  for (const name of m.keys()) {
    const st = statSync(path.join(dir, name), { throwIfNoEntry: false });
    if (st !== undefined && st.isFile()) sizes.set(name, st.size);
  }
  return sizes;
}

/** Reads sizes compiled into a build (`{"name": bytes}` JSON). */
export function parseSizes(json: string): FileSizes {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    throw new ManifestError('the file sizes are not JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ManifestError('the file sizes are not an object');
  const sizes = new Map<string, number>();
  for (const [name, size] of Object.entries(v)) {
    if (!isSafeName(name)) throw new ManifestError(`the file sizes name an unsafe path '${name}'`);
    if (!Number.isSafeInteger(size) || (size as number) < 0 || (size as number) > MAX_BUNDLE_FILE_BYTES) {
      throw new ManifestError(`the size of '${name}' is not a byte count up to ${MAX_BUNDLE_FILE_BYTES}`);
    }
    sizes.set(name, size as number);
  }
  return sizes;
}

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file)
      .on('data', (d) => h.update(d))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}

export interface DirCheck {
  ok: boolean;
  /** Listed, present, different content. */
  mismatched: string[];
  /** Listed, absent. */
  missing: string[];
  /** Present, not listed (ignoring `ignore`). */
  extra: string[];
  /** Present but a symlink, device, etc. — an installed tree holds regular files and directories only. */
  notRegular: string[];
}

function listTree(dir: string, rel = '', acc: { files: string[]; odd: string[] } = { files: [], odd: [] }) {
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel === '' ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) listTree(dir, r, acc);
    else if (e.isFile()) acc.files.push(r);
    else acc.odd.push(r);
  }
  return acc;
}

/** Checks an installed (root-owned) directory against a manifest, without following any link. */
export async function verifyTree(dir: string, m: Manifest, ignore: readonly string[] = []): Promise<DirCheck> {
  const { files, odd } = listTree(dir);
  const present = new Set(files);
  const r: DirCheck = { ok: false, mismatched: [], missing: [], extra: [], notRegular: odd.filter((n) => !ignore.includes(n)) };
  for (const [name, want] of m) {
    if (!present.has(name)) {
      if (!odd.includes(name)) r.missing.push(name);
      continue;
    }
    const st = lstatSync(path.join(dir, name));
    if (!st.isFile()) r.notRegular.push(name);
    else if ((await sha256File(path.join(dir, name))) !== want) r.mismatched.push(name);
  }
  for (const f of files) if (!m.has(f) && !ignore.includes(f)) r.extra.push(f);
  r.ok = r.mismatched.length + r.missing.length + r.extra.length + r.notRegular.length === 0;
  return r;
}

export function describeCheck(c: DirCheck): string {
  if (c.ok) return 'all files match';
  const parts: string[] = [];
  if (c.mismatched.length) parts.push(`changed: ${c.mismatched.join(', ')}`);
  if (c.missing.length) parts.push(`missing: ${c.missing.join(', ')}`);
  if (c.extra.length) parts.push(`unexpected: ${c.extra.join(', ')}`);
  if (c.notRegular.length) parts.push(`not regular files: ${c.notRegular.join(', ')}`);
  return parts.join('; ');
}
