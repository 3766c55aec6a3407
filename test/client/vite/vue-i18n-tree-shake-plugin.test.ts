import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as Vue from 'vue';
import { vueI18nTreeShakePlugin } from '../../../client/vite/vue-i18n-tree-shake-plugin';

type Transform = (code: string, id: string) => { code: string } | null;

const VUE_I18N_ESM = path.resolve('node_modules/vue-i18n/dist/vue-i18n.mjs');
const transform = vueI18nTreeShakePlugin().transform as Transform;

describe('vueI18nTreeShakePlugin', () => {
  it('vueI18nTreeShakePlugin › installed vue-i18n ESM build › the `in Vue` probe becomes a static getCurrentInstance call', () => {
    const source = readFileSync(VUE_I18N_ESM, 'utf8');

    const out = transform(source, VUE_I18N_ESM);

    expect(source).toContain('key in Vue');
    expect(out!.code).not.toContain('in Vue');
    expect(out!.code).toContain('return Vue.getCurrentInstance();');
    // Only the helper changed.
    expect(out!.code.replace(/function getCurrentInstance\(\) \{[^}]*\}/, '')).toBe(
      source.replace(/function getCurrentInstance\(\) \{[\s\S]*?\n\}/, ''),
    );
  });

  it('vueI18nTreeShakePlugin › the rewrite’s premise › the installed Vue has no `currentInstance` export', () => {
    // Vue 3.6 adds it (Vapor); then vue-i18n's probe returns it instead and the rewrite must be revisited.
    expect('currentInstance' in Vue).toBe(false);
  });

  it('vueI18nTreeShakePlugin › other modules › left alone', () => {
    expect(transform("const key = 'x'; if (key in Vue) {}", '/app/node_modules/other/dist/index.mjs')).toBeNull();
    expect(transform('export const a = 1;', VUE_I18N_ESM)).toBeNull();
  });

  it('vueI18nTreeShakePlugin › vue-i18n changed its probe › the build fails, naming the plugin to update', () => {
    const changed = "function getCurrentInstance() { const key = 'currentInstance'; return key in Vue ? Vue[key] : null; }";

    expect(() => transform(changed, VUE_I18N_ESM)).toThrow(/vue-i18n-tree-shake-plugin\.ts/);
  });
});
