/**
 * JSON for the test bridge's SSE stream, which must carry EngineUpdates whose rows hold Float64Arrays (Electron's
 * structured-clone IPC keeps them; plain JSON would turn them into index-keyed objects). A Float64Array is written
 * as `{ "__f64": [numbers] }` (NaN and ±Infinity as strings, which JSON lacks) and rebuilt on parse, so the page
 * receives exactly the EngineUpdate shape. Bridge only: the app itself never sends updates as JSON.
 */

const TAG = '__f64';

export function stringifyTyped(v: unknown): string {
  return JSON.stringify(v, (_key, value: unknown) => (value instanceof Float64Array ? { [TAG]: Array.from(value, (x) => (Number.isFinite(x) ? x : String(x))) } : value));
}

export function parseTyped(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    const keys = Object.keys(value);
    const arr = (value as Record<string, unknown>)[TAG];
    return keys.length === 1 && keys[0] === TAG && Array.isArray(arr) ? Float64Array.from(arr as (number | string)[], Number) : value;
  });
}
