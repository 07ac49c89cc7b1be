/**
 * JSON and boolean columns, encoded and decoded in one place. The schema CHECKs that JSON columns
 * hold valid JSON of the right shape, so a decoding failure means the file was edited by hand.
 */
import type { Json, JsonObject } from '../types.js';
import { StoreError } from '../types.js';

export function encodeJson(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`Cannot store ${String(value)} as JSON.`);
  return text;
}

export function decodeJson(text: string, where: string): Json {
  try {
    return JSON.parse(text) as Json; // JSON.parse only ever yields JSON values
  } catch (error) {
    throw new StoreError(
      'CORRUPT',
      `The stored JSON in ${where} cannot be read: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

export function decodeJsonObject(text: string, where: string): JsonObject {
  const value = decodeJson(text, where);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new StoreError('CORRUPT', `The stored JSON in ${where} is not an object.`);
  }
  return value;
}

export function decodeJsonArray(text: string, where: string): Json[] {
  const value = decodeJson(text, where);
  if (!Array.isArray(value))
    throw new StoreError('CORRUPT', `The stored JSON in ${where} is not an array.`);
  return value;
}

export const encodeFlag = (value: boolean): number => (value ? 1 : 0);
export const decodeFlag = (value: number): boolean => value !== 0;
