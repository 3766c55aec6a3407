import type { Plugin } from 'vite';

// vue-i18n's helper, verbatim from its ESM builds (dist/vue-i18n*.mjs, 11.x).
const NAMESPACE_PROBE = `function getCurrentInstance() {
    // NOTE(kazupon): avoid bundler warning
    const key = 'currentInstance';
    if (key in Vue) {
        return Vue[key];
    }
    else {
        return Vue.getCurrentInstance();
    }
}`;

const STATIC_CALL = `function getCurrentInstance() {
    return Vue.getCurrentInstance();
}`;

/**
 * vue-i18n 11 tests `'currentInstance' in Vue` on `import * as Vue from 'vue'`. That `in` makes the bundler keep every
 * export of vue (Teleport, KeepAlive, Suspense, TransitionGroup…), about 16 KB of the panel's 100 KB gzipped
 * first-load budget. Vue 3.5 has no `currentInstance` export (3.6 adds it for Vapor), so the test always falls through
 * to `getCurrentInstance()`: this calls it directly. https://github.com/intlify/vue-i18n/issues/2573
 */
export function vueI18nTreeShakePlugin(): Plugin {
  return {
    name: 'panel:vue-i18n-tree-shake',
    apply: 'build',
    transform(code, id) {
      if (!/[\\/]node_modules[\\/]vue-i18n[\\/]dist[\\/]/.test(id) || !code.includes('key in Vue')) return null;
      if (!code.includes(NAMESPACE_PROBE)) {
        throw new Error(`${id}: vue-i18n's namespace probe changed; update or drop client/vite/vue-i18n-tree-shake-plugin.ts`);
      }
      return { code: code.replace(NAMESPACE_PROBE, STATIC_CALL), map: null };
    },
  };
}
