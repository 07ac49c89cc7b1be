/**
 * Gives a media host's Chromium the CPU share it would have on a machine of its own. Linux shares
 * the CPU between sessions (autogroups) first; Chromium runs in a session of its own, and this
 * 2-core VM runs the other test lane and other people's work in a dozen more. Starved there,
 * Chromium's whole process tree stalled for seconds at load 30-37, its network thread took RTP in
 * bursts, and WebRTC's jitter buffer concealed or stretched 7-16 % of a call's audio, so what one
 * end heard no longer matched what the other said (calls-concurrent.test; the seats tests at
 * 0.54-0.56 against 0.75). The phones and the relay, which stand for other machines, each run in
 * a session of their own already. Root only (CAP_SYS_NICE); a no-op elsewhere. Assertions are
 * unchanged by it.
 */
import { writeFile } from 'node:fs/promises';

import type { Page } from 'playwright-core';

export async function favourMediaHost(page: Page): Promise<void> {
  const browser = page.context().browser();
  if (!browser || process.platform !== 'linux') return;
  const session = await browser.newBrowserCDPSession();
  try {
    const { processInfo } = (await session.send('SystemInfo.getProcessInfo')) as unknown as {
      processInfo: Array<{ type: string; id: number }>;
    };
    const main = processInfo.find((p) => p.type === 'browser');
    if (main) await writeFile(`/proc/${main.id}/autogroup`, '-10');
  } catch {
    // not root, or no autogroups: run as the machine schedules it
  } finally {
    await session.detach().catch(() => undefined);
  }
}
