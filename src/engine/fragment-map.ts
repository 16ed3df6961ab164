/**
 * Remembers which flow the first fragment of an IP datagram went to, so later fragments (which carry no ports)
 * count to the same flow. Direct-mapped and fixed-size: a collision overwrites, memory never grows.
 * Key: family, source, destination, identification and protocol.
 */
import type { PacketInfo } from './packet-decoder.ts';

const ENTRIES = 1024;
const W = 10;

function rd32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

export class FragmentMap {
  private readonly keys = new Uint32Array(ENTRIES * W);
  private readonly slots = new Int32Array(ENTRIES).fill(-1);
  private readonly flowIds = new Float64Array(ENTRIES);
  private readonly k = new Uint32Array(W);

  remember(buf: Uint8Array, p: PacketInfo, slot: number, flowId: number): void {
    const e = this.load(buf, p);
    this.keys.set(this.k, e * W);
    this.slots[e] = slot;
    this.flowIds[e] = flowId;
  }

  /** The slot the datagram's first fragment went to, if its flow id is still `currentId(slot)`; else -1. */
  lookup(buf: Uint8Array, p: PacketInfo, currentId: (slot: number) => number): number {
    const e = this.load(buf, p);
    const s = this.slots[e];
    if (s < 0) return -1;
    for (let i = 0; i < W; i++) if (this.keys[e * W + i] !== this.k[i]) return -1;
    return currentId(s) === this.flowIds[e] ? s : -1;
  }

  private load(buf: Uint8Array, p: PacketInfo): number {
    const k = this.k;
    k.fill(0);
    const n = p.family === 6 ? 4 : 1;
    for (let i = 0; i < n; i++) {
      k[i] = rd32(buf, p.srcOff + 4 * i);
      k[4 + i] = rd32(buf, p.dstOff + 4 * i);
    }
    k[8] = p.fragId;
    k[9] = p.proto | (p.family << 8);
    let h = 0x811c9dc5;
    for (let i = 0; i < W; i++) h = Math.imul(h ^ k[i], 0x01000193);
    h ^= h >>> 16;
    return (h >>> 0) & (ENTRIES - 1);
  }
}
