/**
 * Endpoints ("address port", as formatEndpoint's parts joined by a space) that a control flow announced and no flow
 * has used yet: FTP data ports, SIP's media. At most `max`, the oldest forgotten first. A count per port lets a new
 * flow whose ports match none be told so without formatting its addresses.
 */
export class ExpectedEndpoints<V> {
  private readonly map = new Map<string, V>();
  private readonly ports = new Map<number, number>();
  private readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  get size(): number {
    return this.map.size;
  }

  /** Could an endpoint on this port be expected? */
  hasPort(port: number): boolean {
    return this.ports.has(port);
  }

  /** Expects `key` ("address port"), as the newest. */
  set(key: string, value: V): void {
    this.take(key);
    if (this.map.size >= this.max) this.take(this.map.keys().next().value as string);
    this.map.set(key, value);
    const p = portOf(key);
    this.ports.set(p, (this.ports.get(p) ?? 0) + 1);
  }

  /** The value `key` was expected with, no longer expected; undefined when it was not. */
  take(key: string): V | undefined {
    const v = this.map.get(key);
    if (v === undefined) return undefined;
    this.map.delete(key);
    const p = portOf(key);
    const n = (this.ports.get(p) ?? 1) - 1;
    if (n > 0) this.ports.set(p, n);
    else this.ports.delete(p);
    return v;
  }
}

function portOf(key: string): number {
  return Number(key.slice(key.lastIndexOf(' ') + 1));
}
