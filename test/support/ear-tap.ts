/**
 * What a person's speaker plays in a media host page, for end-to-end tests: the page's
 * <audio data-party=…> element (agent or supervisor) recorded through a ScriptProcessor, each chunk
 * stamped with the wall clock, so a test can ask what was heard between two moments. Used by
 * supervise.test (one seat) and seats-transfer.test (a supervisor's or agent's ear on the seat that
 * makes the mix).
 */
import type { Page } from 'playwright-core';

export type Party = 'agent' | 'supervisor';

/** What the supervisor's fake microphone says, and the customer's phone. */
export const SUPERVISOR_TEXT = 'Supervisor here, offer the premium plan now.';
export const CUSTOMER_TEXT = 'Where is my parcel? It is very late.';
/** Clips nobody plays: how well any speech matches by chance (the wrong-clip level). */
export const WRONG_TEXTS = [
  'Seven green bottles stand upon the kitchen wall.',
  'The train to the north leaves at half past four.',
  'Please remember to water the tomato plants.',
];
/** How long each mode is held while the ears are recorded (longer than 1.2 clips). */
export const PHASE_MS = 5500;
/** A clip counts as heard from this correlation up (the takeover test's level). */
export const HEARD = 0.75;

/** Page script (a string: it runs in the page, whose DOM this Node code has no types for). */
const EAR_TAP_SCRIPT = `
  window.__earTaps = window.__earTaps || {};
  window.__tapEar = (who) => {
    const element = document.querySelector('audio[data-party="' + who + '"]');
    if (!element || (window.__earTaps[who] && window.__earTaps[who].element === element)) return;
    const context = new AudioContext({ sampleRate: 16000 });
    const source = context.createMediaStreamSource(element.srcObject);
    const processor = context.createScriptProcessor(1024, 1, 1);
    const tap = { element, chunks: [] };
    processor.onaudioprocess = (event) =>
      tap.chunks.push({ at: Date.now(), data: new Float32Array(event.inputBuffer.getChannelData(0)) });
    source.connect(processor).connect(context.destination);
    window.__earTaps[who] = tap;
  };
  window.__earWindow = (who, from, to) => {
    const out = [];
    const tap = window.__earTaps[who];
    for (const chunk of tap ? tap.chunks : [])
      if (chunk.at > from && chunk.at <= to)
        for (const v of chunk.data) out.push(Math.round(v * 32767));
    return out;
  };
`;

/** Starts recording what a party's speaker plays, once its element exists and has its stream. */
export async function tapEar(page: Page, party: Party): Promise<void> {
  await page.waitForSelector(`audio[data-party="${party}"]`, { state: 'attached' });
  // A seat leg's element gets its stream only when the leg's audio track arrives.
  await page.waitForFunction(
    `Boolean(document.querySelector('audio[data-party="${party}"]')?.srcObject)`,
  );
  await page.evaluate(`${EAR_TAP_SCRIPT}; window.__tapEar(${JSON.stringify(party)})`);
}

/** What a party's speaker played between two wall-clock times (16 kHz). */
export async function earWindow(
  page: Page,
  party: Party,
  from: number,
  to: number,
): Promise<Float32Array> {
  const samples = (await page.evaluate(
    `window.__earWindow(${JSON.stringify(party)}, ${from}, ${to})`,
  )) as number[];
  return Float32Array.from(samples, (v) => v / 32767);
}

/** Root mean square of each whole second of an ear's audio (16 kHz), for failure messages. */
export function rmsPerSecond(audio: Float32Array): string {
  return Array.from({ length: Math.ceil(audio.length / 16000) }, (_, i) => {
    const part = audio.subarray(i * 16000, (i + 1) * 16000);
    return Math.sqrt(part.reduce((sum, v) => sum + v * v, 0) / Math.max(1, part.length)).toFixed(3);
  }).join(' ');
}

/**
 * How long after `since` a party's speaker first played sound (a 64 ms chunk above -40 dBFS), or
 * null if it stayed silent for `timeoutMs`. A seat leg's track exists before its RTP flows, so a
 * phase that must hear the far end starts from here, and the wait is reported, not hidden.
 */
export async function untilSound(
  page: Page,
  party: Party,
  since: number,
  timeoutMs: number,
): Promise<number | null> {
  const deadline = since + timeoutMs;
  while (Date.now() < deadline) {
    const found = (await page.evaluate(
      `(() => { const tap = window.__earTaps[${JSON.stringify(party)}];
        for (const chunk of tap ? tap.chunks : []) {
          if (chunk.at <= ${since}) continue;
          let sum = 0; for (const v of chunk.data) sum += v * v;
          if (Math.sqrt(sum / chunk.data.length) > 0.01) return chunk.at;
        }
        return null; })()`,
    )) as number | null;
    if (found !== null) return found - since;
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}
