import type { en } from './locales/en.js';

/** The shape every language file must have: en's keys, any string values. */
export type Messages = Widen<typeof en>;

type Widen<T> = { readonly [K in keyof T]: T[K] extends string ? string : Widen<T[K]> };
