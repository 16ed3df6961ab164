// jsdom lacks a few browser APIs the renderer touches; these stand-ins keep tests quiet and deterministic.
// Files running in the node environment (pure logic, the built-page check) skip all of it.
import { afterEach } from 'vitest';

if (typeof window !== 'undefined') {
  const { cleanup } = await import('@testing-library/react');
  afterEach(() => cleanup());

  // No canvas in jsdom: the bandwidth chart falls back to its text summary.
  HTMLCanvasElement.prototype.getContext = (() => null) as typeof HTMLCanvasElement.prototype.getContext;

  if (typeof globalThis.ResizeObserver === 'undefined') {
    globalThis.ResizeObserver = class {
      observe(): void {}
      unobserve(): void {}
      disconnect(): void {}
    };
  }

  // jsdom has no scrollTo: the virtualiser calls it when the selection moves. Sets the offset and reports it, as a
  // browser would, so the grid renders (and asks the host for) the rows scrolled to.
  Element.prototype.scrollTo = function scrollTo(this: Element, a?: ScrollToOptions | number, b?: number) {
    const top = typeof a === 'object' ? a.top : b;
    if (top === undefined || this.scrollTop === top) return;
    this.scrollTop = top;
    this.dispatchEvent(new Event('scroll'));
  } as typeof Element.prototype.scrollTo;

  // uPlot reads the device pixel ratio through matchMedia when it loads.
  if (typeof window.matchMedia !== 'function') {
    window.matchMedia = ((query: string) => ({
      matches: false,
      media: query,
      onchange: null,
      addListener() {},
      removeListener() {},
      addEventListener() {},
      removeEventListener() {},
      dispatchEvent: () => false,
    })) as typeof window.matchMedia;
  }

  // jsdom has no layout: give the flows grid (the virtualiser's scroll element) a window-sized box so it renders rows.
  for (const [prop, size] of [['clientHeight', 600], ['clientWidth', 1200]] as const) {
    Object.defineProperty(HTMLElement.prototype, prop, {
      configurable: true,
      get(this: HTMLElement) {
        return this.getAttribute('role') === 'grid' ? size : 0;
      },
    });
  }
  // ... and a content height: the virtualised rowgroup's (its inline height) below the 2rem header, which bounds how
  // far the virtualiser scrolls.
  Object.defineProperty(HTMLElement.prototype, 'scrollHeight', {
    configurable: true,
    get(this: HTMLElement) {
      if (this.getAttribute('role') !== 'grid') return 0;
      const body = this.querySelector<HTMLElement>('[role=rowgroup][style]');
      return 32 + (body ? parseFloat(body.style.height) || 0 : 0);
    },
  });
}
