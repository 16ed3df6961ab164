// Renderer build: `vite build --config src/renderer/vite.config.ts` → dist/renderer/ with relative asset paths so
// the page loads from a custom protocol or a file.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  plugins: [react(), tailwindcss()],
  build: {
    outDir: fileURLToPath(new URL('../../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    // No inline <script> or data: modules: the CSP forbids them.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: true,
    target: 'chrome130',
    rolldownOptions: {
      // Tailwind's generated CSS has no sourcemap; the JS maps are still right, so the warning is noise.
      onLog(level, log, handler) {
        if (log.code === 'SOURCEMAP_BROKEN') return;
        handler(level, log);
      },
    },
  },
});
