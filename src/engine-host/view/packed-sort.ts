/**
 * Sorting helpers for the flow table. Numeric columns use a packed Float64Array sorted natively (no comparator
 * calls): each entry is quantizedKey·2^b + position, so ties keep their previous order and the ids never need
 * an object per entry. Quantization maps the key range onto the bits left over, which keeps every distinct
 * integer distinct up to ~2^35 values at 100 k rows; closer floats may tie and then keep their previous order.
 */

// Reused between sorts (grow-only) so a sort 4–10 times a second does not churn 100 k-entry buffers.
let packedScratch = new Float64Array(0);
let keyScratch = new Float64Array(0);

/** A scratch Float64Array of at least n entries for numeric keys (valid until the next call). */
export function keyBuffer(n: number): Float64Array {
  if (keyScratch.length < n) keyScratch = new Float64Array(Math.max(n, keyScratch.length * 2, 1024));
  return keyScratch.subarray(0, n);
}

export function sortByNumber(ids: number[], keys: Float64Array, desc: boolean): number[] {
  const n = ids.length;
  if (n < 2) return ids.slice();
  const idxBits = Math.max(1, Math.ceil(Math.log2(n)));
  const idxScale = 2 ** idxBits;
  const keyMax = 2 ** (53 - idxBits) - 1;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const k = keys[i];
    if (k < min) min = k;
    if (k > max) max = k;
  }
  if (!(max > min)) return ids.slice(); // all equal (or NaN): keep the previous order
  const scale = keyMax / (max - min);
  if (packedScratch.length < n) packedScratch = new Float64Array(Math.max(n, packedScratch.length * 2, 1024));
  const packed = packedScratch.subarray(0, n);
  for (let i = 0; i < n; i++) {
    const k = keys[i];
    let q = k === k ? Math.floor((k - min) * scale) : 0; // NaN sorts as the minimum
    if (q > keyMax) q = keyMax;
    if (desc) q = keyMax - q;
    packed[i] = q * idxScale + i;
  }
  packed.sort();
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = ids[packed[i] % idxScale];
  return out;
}

export function sortByText(ids: number[], keys: string[], desc: boolean): number[] {
  const n = ids.length;
  const pos = new Array<number>(n);
  for (let i = 0; i < n; i++) pos[i] = i;
  const sign = desc ? -1 : 1;
  pos.sort((a, b) => {
    const ka = keys[a];
    const kb = keys[b];
    return ka < kb ? -sign : ka > kb ? sign : a - b;
  });
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = ids[pos[i]];
  return out;
}
