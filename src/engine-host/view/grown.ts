/** A copy of `a` with room for `capacity` elements, the new ones zero: how the view's per-slot columns grow. */
export function grown<T extends Float64Array | Uint8Array>(a: T, capacity: number): T {
  const b = new (a.constructor as new (n: number) => T)(capacity);
  b.set(a);
  return b;
}
