/**
 * `node --import tsx test/support/warm-speech-cache.ts`: npm test's "speech cache" step, the
 * Vitest global setup's warm-up run once on its own before the test lanes start.
 */
import { speechCacheDir } from './speech-cache-dir.js';
import { warmSpeechCache } from './speech-cache-setup.js';

await warmSpeechCache(speechCacheDir());
