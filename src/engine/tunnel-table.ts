/**
 * The distinct tunnels flows were seen in, interned: a flow keeps one small index (0 for none), not an object, and
 * each tunnel's JSON text is built once. The list is bounded; past the bound new tunnels keep their kinds only.
 */
import type { FlowTunnel, TunnelKind } from '../shared/flow.ts';
import { formatAddress } from './address-text.ts';
import type { PacketInfo } from './packet-decoder.ts';
import { TUNNEL_KIND_NAMES } from './tunnels.ts';

/** Distinct tunnels (kinds and outer endpoints) kept with their endpoints. */
export const MAX_TUNNELS = 65536;

const words = new Uint32Array(4);

function address(buf: Uint8Array, off: number, family: number): string {
  const n = family === 4 ? 1 : 4;
  for (let i = 0; i < n; i++) {
    const o = off + 4 * i;
    words[i] = ((buf[o] << 24) | (buf[o + 1] << 16) | (buf[o + 2] << 8) | buf[o + 3]) >>> 0;
  }
  return formatAddress(words, 0, family);
}

export class TunnelTable {
  private readonly list: (Readonly<FlowTunnel> | null)[] = [null];
  private readonly json: (string | null)[] = [null];
  private readonly index = new Map<string, number>();

  get size(): number {
    return this.list.length - 1;
  }

  /** The index of the tunnel the packet just decoded into p was seen in (p.tunnelDepth > 0). */
  intern(buf: Uint8Array, p: PacketInfo): number {
    const kinds: TunnelKind[] = [];
    for (let i = 0; i < p.tunnelDepth; i++) {
      const name = TUNNEL_KIND_NAMES[(p.tunnelKinds >>> (4 * i)) & 15];
      if (name !== '') kinds.push(name);
    }
    const full = this.list.length > MAX_TUNNELS;
    const src = p.outerFamily === 0 || full ? null : address(buf, p.outerSrcOff, p.outerFamily);
    const dst = p.outerFamily === 0 || full ? null : address(buf, p.outerDstOff, p.outerFamily);
    const key = `${kinds.join(',')} ${src ?? ''} ${dst ?? ''}`;
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.list.length;
      const t: FlowTunnel = { kinds, src, dst };
      this.list.push(t);
      this.json.push(JSON.stringify(t));
      this.index.set(key, i);
    }
    return i;
  }

  at(i: number): Readonly<FlowTunnel> | null {
    return this.list[i] ?? null;
  }

  jsonAt(i: number): string | null {
    return this.json[i] ?? null;
  }
}
