/**
 * Attaches to an engine's media host page over DevTools (its Chromium started with
 * OUTBOUND_MEDIA_HOST_DEBUG_PORT), waiting up to 5 s for the engine to have launched it; tests tap
 * the page's speakers (ear-tap.ts) and raise its CPU share (favour-media-host.ts) through it.
 */
import { type Browser, chromium, type Page } from 'playwright-core';

export async function attachMediaHost(
  debugPort: number,
): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.connectOverCDP(`http://127.0.0.1:${debugPort}`);
  for (let i = 0; i < 50; i++) {
    const page = browser
      .contexts()
      .flatMap((c) => c.pages())
      .find((p) => p.url().includes('media-host'));
    if (page) return { browser, page };
    await new Promise((r) => setTimeout(r, 100));
  }
  await browser.close().catch(() => undefined);
  throw new Error('the media host page was not found over DevTools');
}
