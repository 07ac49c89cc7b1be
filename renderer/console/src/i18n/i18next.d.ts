/**
 * Typed translation keys: `t('nav.live')` compiles, `t('nav.lve')` does not. The English file is
 * the source of the key set; zh-CN.ts is checked against it with `satisfies Messages`.
 */
import 'i18next';
import type { en } from './locales/en.js';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof en };
  }
}
