/**
 * Which text encoding a contact file is in. Spreadsheets saved on Chinese Windows are GBK (a
 * subset of GB18030) unless the user picked "CSV UTF-8", which adds a BOM; other tools write UTF-8
 * without one. A strict UTF-8 check decides: GBK text with Chinese characters is almost never valid
 * UTF-8 (its lead bytes 0x81–0xFE are followed by bytes that UTF-8 refuses), so a sample that is not
 * valid UTF-8 is read as GB18030. A statistical detector (chardet) would only add guesses between
 * encodings we do not accept.
 */

export type TextEncoding = 'utf-8' | 'utf-8-bom' | 'gb18030';

/** Bytes read to decide; a Chinese name appears within the first rows of any real list. */
export const DETECTION_SAMPLE_BYTES = 64 * 1024;

export class EncodingError extends Error {
  override readonly name = 'EncodingError';
}

/**
 * Decides from the start of a file. `complete` says the sample is the whole file; otherwise a
 * multi-byte character cut at the sample's end is not held against UTF-8.
 */
export function detectEncoding(sample: Uint8Array, complete: boolean): TextEncoding {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return 'utf-8-bom';
  if ((sample[0] === 0xff && sample[1] === 0xfe) || (sample[0] === 0xfe && sample[1] === 0xff)) {
    throw new EncodingError(
      'The file is UTF-16 (Excel\'s "Unicode text"); save it as "CSV UTF-8" or plain CSV and import again.',
    );
  }
  return isUtf8(sample, complete) ? 'utf-8' : 'gb18030';
}

/** The iconv-lite name for an encoding. */
export function iconvName(encoding: TextEncoding): string {
  return encoding === 'gb18030' ? 'gb18030' : 'utf8';
}

/** Strict UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF). */
export function isUtf8(bytes: Uint8Array, complete = true): boolean {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    let max = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = b === 0xe0 ? 0xa0 : 0x80;
      if (b === 0xed) max = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = b === 0xf0 ? 0x90 : 0x80;
      if (b === 0xf4) max = 0x8f;
    } else {
      return false;
    }
    if (i + need >= n) {
      // The character runs past the sample: acceptable only when the sample was cut there.
      if (complete) return false;
      for (let k = i + 1; k < n; k++) {
        const c = bytes[k]!;
        if (k === i + 1 ? c < min || c > max : c < 0x80 || c > 0xbf) return false;
      }
      return true;
    }
    const second = bytes[i + 1]!;
    if (second < min || second > max) return false;
    for (let k = 2; k <= need; k++) {
      const c = bytes[i + k]!;
      if (c < 0x80 || c > 0xbf) return false;
    }
    i += need + 1;
  }
  return true;
}
