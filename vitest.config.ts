// Vitest runs the renderer's component and store tests in jsdom. node:test runs everything else (*.test.ts).
import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  test: {
    environment: 'jsdom',
    include: ['test/renderer/**/*.test.tsx', 'test/**/*.vitest.ts'],
    setupFiles: ['test/renderer/setup.ts'],
    css: false,
    restoreMocks: true,
  },
});
