/**
 * Media host entry: set up audio, connect to the engine, announce readiness. No UI.
 */
import { AudioEngine } from './audio.js';
import { MediaHost } from './host.js';
import { connectToEngine } from './link.js';

async function boot(): Promise<void> {
  const link = await connectToEngine(window.location);
  try {
    const audio = await AudioEngine.create();
    const host = new MediaHost(link, audio);
    host.announce();
  } catch (error) {
    link.sendText(
      JSON.stringify({
        type: 'event',
        event: 'host.error',
        data: { message: `Media host failed to start: ${String(error)}`, at: Date.now() },
      }),
    );
  }
}

void boot().catch((error: unknown) =>
  console.error('media host could not reach the engine', error),
);
