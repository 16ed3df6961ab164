/**
 * Picks the items at positions [lo, hi) of a sort order without sorting everything: the grid shows ~40 rows of
 * 50 k, so after each update only those are ordered. Near the top a single pass keeps the best `hi` items in a heap; further
 * down, quickselect isolates the window in linear expected time. Items are slot numbers; the order is by key
 * (NaN smallest), then by slot ascending, so it is total and agrees with the stable full sorts in packed-sort.ts.
 */

/** Beyond this many items from the top, quickselect beats keeping a heap of the best `hi`. */
const TOP_PASS_MAX = 256;

export type Before = (a: number, b: number) => boolean;

/** "a comes before b" for slots a, b keyed by `keys[slot]`; NaN counts as the smallest key. */
export function numberOrder(keys: Float64Array, desc: boolean): Before {
  return desc
    ? (a, b) => {
        const ka = keys[a];
        const kb = keys[b];
        return ka > kb || (kb !== kb ? ka === ka || a < b : ka === kb && a < b);
      }
    : (a, b) => {
        const ka = keys[a];
        const kb = keys[b];
        return ka < kb || (ka !== ka ? kb === kb || a < b : ka === kb && a < b);
      };
}

export function textOrder(keys: readonly string[], desc: boolean): Before {
  return desc
    ? (a, b) => {
        const ka = keys[a];
        const kb = keys[b];
        return ka > kb || (ka === kb && a < b);
      }
    : (a, b) => {
        const ka = keys[a];
        const kb = keys[b];
        return ka < kb || (ka === kb && a < b);
      };
}

/** Slots at positions [lo, hi) of `slots` in the order `before` (a total order). Reorders `slots` in place. */
export function selectRange(slots: Int32Array, before: Before, lo: number, hi: number): number[] {
  const n = slots.length;
  const end = Math.min(hi, n);
  const start = Math.max(0, lo);
  if (start >= end) return [];
  if (end <= TOP_PASS_MAX) return topPass(slots, before, end).slice(start);
  nthElement(slots, start, 0, n - 1, before);
  nthElement(slots, end - 1, start, n - 1, before);
  const out = Array.from(slots.subarray(start, end));
  out.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
  return out;
}

/**
 * The first `k` items in order: one pass keeping the best k seen in a heap whose root is the worst of them, so
 * input in reverse order (arrival order against a descending sort) costs O(n log k), not O(n k).
 */
function topPass(slots: Int32Array, before: Before, k: number): number[] {
  const heap = new Array<number>(k);
  let size = 0;
  for (let i = 0; i < slots.length; i++) {
    const s = slots[i];
    if (size < k) {
      // Sift up: parents come after their children in the order.
      let j = size++;
      while (j > 0) {
        const p = (j - 1) >> 1;
        if (!before(heap[p], s)) break;
        heap[j] = heap[p];
        j = p;
      }
      heap[j] = s;
    } else if (before(s, heap[0])) {
      siftDown(heap, k, s, before);
    }
  }
  heap.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
  return heap;
}

/** Puts `s` at the root of the heap and moves it down to its place. */
function siftDown(heap: number[], size: number, s: number, before: Before): void {
  let j = 0;
  for (;;) {
    let c = 2 * j + 1;
    if (c >= size) break;
    if (c + 1 < size && before(heap[c], heap[c + 1])) c++;
    if (!before(s, heap[c])) break;
    heap[j] = heap[c];
    j = c;
  }
  heap[j] = s;
}

/** Reorders a[left..right] so a[k] holds the item of that rank, smaller ones before it, larger after (quickselect). */
function nthElement(a: Int32Array, k: number, left: number, right: number, before: Before): void {
  while (right > left) {
    // Median of three as pivot: no quadratic case on sorted or reversed input.
    const mid = (left + right) >>> 1;
    if (before(a[mid], a[left])) swap(a, mid, left);
    if (before(a[right], a[left])) swap(a, right, left);
    if (before(a[right], a[mid])) swap(a, right, mid);
    const pivot = a[mid];
    let i = left;
    let j = right;
    while (i <= j) {
      while (before(a[i], pivot)) i++;
      while (before(pivot, a[j])) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return;
  }
}

function swap(a: Int32Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}
