/** A tiny two-series line chart drawn as SVG (no inline styles, so it needs nothing from the CSP). */
export function Sparkline({ down, up, label }: { down: number[]; up: number[]; label: string }) {
  const w = 240;
  const h = 48;
  const n = Math.max(down.length, up.length);
  const max = Math.max(1, ...down, ...up);
  const y = (x: number) => (h - 1 - (x / max) * (h - 2)).toFixed(1);
  // One sample is drawn as a flat line so a freshly opened drawer is not empty.
  const points = (v: number[]) =>
    v.length === 1 ? `0,${y(v[0])} ${w},${y(v[0])}` : v.map((x, i) => `${((i / (n - 1)) * w).toFixed(1)},${y(x)}`).join(' ');
  return (
    <svg role="img" aria-label={label} viewBox={`0 0 ${w} ${h}`} className="h-12 w-full rounded bg-zinc-100 dark:bg-zinc-800" preserveAspectRatio="none">
      {n > 0 && (
        <>
          <polyline points={points(down)} fill="none" className="stroke-sky-500" strokeWidth="1.5" vectorEffect="non-scaling-stroke" />
          <polyline points={points(up)} fill="none" className="stroke-amber-500" strokeWidth="1.5" vectorEffect="non-scaling-stroke" />
        </>
      )}
    </svg>
  );
}
