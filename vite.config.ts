import { defineConfig } from 'vitest/config';
import vue from '@vitejs/plugin-vue';

// One file for the panel build (Vite) and the test projects (Vitest):
// server and shared code run under node, the panel's components and stores under jsdom.
export default defineConfig({
  root: 'client',
  base: '/',
  plugins: [vue()],
  build: {
    outDir: '../dist/client',
    emptyOutDir: true,
    sourcemap: false,
  },
  test: {
    root: '.',
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          root: '.',
          environment: 'node',
          include: ['test/server/**/*.test.ts', 'test/shared/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'client',
          root: '.',
          environment: 'jsdom',
          include: ['test/client/**/*.test.ts'],
        },
      },
    ],
  },
});
