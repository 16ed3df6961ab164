/** Small, allocation-light helpers for reading protocol text out of shared packet buffers. */

/** Scratch for building a string: bytes are copied here, then decoded with one latin1 slice (no rope strings). */
const scratch = Buffer.alloc(1024);
/** Buffer's latin1Slice (present on every Node Buffer, untyped) skips toString's encoding dispatch. */
const latin1 = scratch as unknown as { latin1Slice(start: number, end: number): string };

/** Decodes scratch[0, n) (ASCII only by construction) as one flat string. */
export function scratchText(n: number): string {
  return latin1.latin1Slice(0, n);
}

/** The shared scratch buffer for callers that assemble text themselves (at most 1024 bytes; decode with scratchText). */
export function scratchBytes(): Uint8Array {
  return scratch;
}

/** Printable ASCII (0x20..0x7e) of buf[off, off+len) as a string; other bytes become '?'. len is capped at 1024. */
export function asciiText(buf: Uint8Array, off: number, len: number): string {
  const n = Math.min(len, scratch.length);
  for (let i = 0; i < n; i++) {
    const c = buf[off + i];
    scratch[i] = c >= 0x20 && c <= 0x7e ? c : 0x3f;
  }
  return latin1.latin1Slice(0, n);
}

/** True when buf[off..] begins with the given ASCII literal (all of it must be in range). */
export function startsWithAscii(buf: Uint8Array, off: number, len: number, lit: string): boolean {
  if (len < lit.length) return false;
  for (let i = 0; i < lit.length; i++) if (buf[off + i] !== lit.charCodeAt(i)) return false;
  return true;
}

/** Index of the first '\n' in buf[from, end), or -1. */
export function indexOfLf(buf: Uint8Array, from: number, end: number): number {
  for (let i = from; i < end; i++) if (buf[i] === 0x0a) return i;
  return -1;
}

export function u16(buf: Uint8Array, off: number): number {
  return (buf[off] << 8) | buf[off + 1];
}

export function u24(buf: Uint8Array, off: number): number {
  return (buf[off] << 16) | (buf[off + 1] << 8) | buf[off + 2];
}

export function u32(buf: Uint8Array, off: number): number {
  return ((buf[off] << 24) >>> 0) + ((buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3]);
}

/** Appends s to list unless present or the list is full; returns whether it was added. */
export function pushBounded(list: string[], s: string, max: number): boolean {
  if (list.length >= max || list.includes(s)) return false;
  list.push(s);
  return true;
}
