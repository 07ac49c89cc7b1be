/**
 * What a call's timeline shows in the UI language: each event type the engine stores (telephony's
 * milestones and notes, the bot's, routing's, the dialer's and the store's own) has a translated
 * name under `callEvent.*`. Kept beside the timeline that reads it; callEvents.test.ts checks the
 * list against the engine's sources, so a new event gets a name.
 */
import type { TFunction } from 'i18next';

import { prettifyCode } from '../../i18n/dispositions.js';
import { en } from '../../i18n/locales/en.js';

/** Every call event type the engine writes, with a name in both locale files. */
export type CallEventType = keyof typeof en.callEvent;
export const CALL_EVENT_TYPES = Object.keys(en.callEvent) as CallEventType[];

export function isCallEventType(type: string): type is CallEventType {
  return Object.hasOwn(en.callEvent, type);
}

/** An event's name in the UI language (a type this console does not know yet: its code, readable). */
export function callEventName(type: string, t: TFunction): string {
  return isCallEventType(type) ? t(`callEvent.${type}`) : prettifyCode(type);
}
