/**
 * What one engine's flow inspectors share so hostile traffic costs bounded work: a cap on inspectors alive at once,
 * a cache of QUIC Initial keys by (version, DCID), and a bound on new key derivations per second of capture time.
 * Everything refused is counted in `refused`; buffer growths refused by the stream-prefix byte budget
 * (stream-prefix.ts) are counted here too, per engine.
 */
import { clientInitialKeys, type InitialKeys } from './quic-keys.ts';

export interface DpiLimits {
  /** Flows under inspection at once; a flow beyond it goes uninspected (default 65 536). */
  maxInspectors?: number;
  /** New QUIC Initial key derivations per second of capture time (default 256). */
  quicDerivationsPerSecond?: number;
  /** Derivations allowed at once before the per-second rate applies (default 512). */
  quicDerivationBurst?: number;
  /** (version, DCID) keys kept for reuse (default 1024). */
  quicKeyCacheSize?: number;
}

/** What DPI declined to do, by reason. */
export interface DpiRefusals {
  /** Stream-prefix growths refused because the DPI byte budget was spent (that stream is abandoned). */
  bufferBudget: number;
  /** Flows not inspected because `maxInspectors` were alive. */
  inspectors: number;
  /** QUIC Initial key derivations refused by the per-second bound (that packet is not decrypted). */
  quicDerivations: number;
  /** Coalesced QUIC packets ignored because their DCID differs from the datagram's first (RFC 9000 §12.2). */
  quicOtherDcid: number;
}

export const DEFAULT_MAX_INSPECTORS = 65536;
export const DEFAULT_QUIC_DERIVATIONS_PER_SECOND = 256;
export const DEFAULT_QUIC_DERIVATION_BURST = 512;
export const DEFAULT_QUIC_KEY_CACHE_SIZE = 1024;

export class DpiGuard {
  readonly refused: DpiRefusals = { bufferBudget: 0, inspectors: 0, quicDerivations: 0, quicOtherDcid: 0 };
  /** Inspectors alive now. */
  inspectors = 0;
  /** QUIC Initial key derivations done (cache misses allowed by the bound). */
  quicDerivations = 0;
  private readonly maxInspectors: number;
  private readonly rate: number;
  private readonly burst: number;
  private readonly cacheSize: number;
  private tokens: number;
  private clock = -Infinity;
  /** Insertion order is recency order: a hit is moved to the end, the first entry is the least recent. */
  private readonly keys = new Map<string, InitialKeys>();

  constructor(o: DpiLimits = {}) {
    this.maxInspectors = Math.max(1, o.maxInspectors ?? DEFAULT_MAX_INSPECTORS);
    this.rate = Math.max(0, o.quicDerivationsPerSecond ?? DEFAULT_QUIC_DERIVATIONS_PER_SECOND);
    this.burst = Math.max(1, o.quicDerivationBurst ?? DEFAULT_QUIC_DERIVATION_BURST);
    this.cacheSize = Math.max(1, o.quicKeyCacheSize ?? DEFAULT_QUIC_KEY_CACHE_SIZE);
    this.tokens = this.burst;
  }

  /** Takes a place for one more inspector, or counts the refusal. Give it back with closeInspector(). */
  openInspector(): boolean {
    if (this.inspectors >= this.maxInspectors) {
      this.refused.inspectors++;
      return false;
    }
    this.inspectors++;
    return true;
  }

  closeInspector(): void {
    if (this.inspectors > 0) this.inspectors--;
  }

  /**
   * Client Initial keys for (version, dcid): from the cache, else derived if the bound allows at capture time `ts`
   * (seconds), else null (counted). Null as well for a version without Initial keys.
   */
  quicKeys(version: number, dcid: Uint8Array, ts: number): InitialKeys | null {
    const id = cacheKey(version, dcid);
    const hit = this.keys.get(id);
    if (hit) {
      this.keys.delete(id);
      this.keys.set(id, hit);
      return hit;
    }
    if (!this.takeToken(ts)) {
      this.refused.quicDerivations++;
      return null;
    }
    this.quicDerivations++;
    const k = clientInitialKeys(version, dcid);
    if (!k) return null;
    if (this.keys.size >= this.cacheSize) this.keys.delete(this.keys.keys().next().value as string);
    this.keys.set(id, k);
    return k;
  }

  /** Token bucket over capture time: refilled at `rate` per second up to `burst`; time going backwards adds none. */
  private takeToken(ts: number): boolean {
    if (ts > this.clock) {
      if (this.clock !== -Infinity) this.tokens = Math.min(this.burst, this.tokens + (ts - this.clock) * this.rate);
      this.clock = ts;
    }
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }
}

function cacheKey(version: number, dcid: Uint8Array): string {
  let s = version.toString(16) + ':';
  for (let i = 0; i < dcid.length; i++) s += String.fromCharCode(dcid[i]);
  return s;
}
