/**
 * A minimal typed event hub. Not Node's EventEmitter: its 'error' event throws when nobody listens, and the helper's
 * `error` messages are ordinary events here.
 */

// `never[]` parameters accept any listener signature.
export class TypedEvents<L extends { [K in keyof L]: (...args: never[]) => unknown }> {
  #listeners = new Map<keyof L, Array<L[keyof L]>>();

  on<K extends keyof L>(event: K, fn: L[K]): this {
    const list = this.#listeners.get(event) ?? [];
    list.push(fn);
    this.#listeners.set(event, list);
    return this;
  }

  off<K extends keyof L>(event: K, fn: L[K]): this {
    const list = this.#listeners.get(event);
    if (list) {
      const i = list.indexOf(fn);
      if (i !== -1) list.splice(i, 1);
    }
    return this;
  }

  /** Calls every listener; returns their results so a caller can act on them (e.g. backpressure). */
  protected emit<K extends keyof L>(event: K, ...args: Parameters<L[K]>): unknown[] {
    const list = this.#listeners.get(event);
    if (!list || list.length === 0) return [];
    const out: unknown[] = [];
    for (const fn of list.slice()) out.push((fn as (...a: Parameters<L[K]>) => unknown)(...args));
    return out;
  }
}
