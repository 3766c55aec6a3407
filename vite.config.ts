import { defineConfig } from 'vitest/config';
import vue from '@vitejs/plugin-vue';
import { vueI18nTreeShakePlugin } from './client/vite/vue-i18n-tree-shake-plugin';

// One file for the panel build (Vite) and the test projects (Vitest):
// server and shared code run under node, the panel's components and stores under jsdom.
export default defineConfig({
  root: 'client',
  base: '/',
  // The panel uses the Composition API only: dropping the Options API and the legacy vue-i18n API keeps the
  // initial JS under its 100 KB gzip budget (https://vue-i18n.intlify.dev/guide/advanced/optimization).
  plugins: [vue({ features: { optionsAPI: false, prodDevtools: false } }), vueI18nTreeShakePlugin()],
  define: {
    __VUE_I18N_LEGACY_API__: 'false',
    __VUE_I18N_FULL_INSTALL__: 'false',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
    // Texts are compiled by client/src/i18n/message-compiler.ts; vue-i18n's own compiler is not bundled.
    __INTLIFY_DROP_MESSAGE_COMPILER__: 'true',
  },
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
