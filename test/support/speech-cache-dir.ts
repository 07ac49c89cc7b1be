/**
 * Where the test suite (and the benchmarks) keep the shared speech cache: trained phrase models,
 * their synthesized clips and rendered prompts. Per user and outside node_modules, like
 * Playwright's browsers, so `npm ci` (which deletes node_modules) does not throw away minutes of
 * training. Safe to share between checkouts and versions: every entry is content-addressed (its
 * file name hashes the phrases, voices, hyper-parameters and TTS and embedding model versions).
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** OUTBOUND_SPEECH_CACHE, else $XDG_CACHE_HOME/outbound-console/speech, else ~/.cache/…. */
export function speechCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OUTBOUND_SPEECH_CACHE) return resolve(env.OUTBOUND_SPEECH_CACHE);
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'outbound-console', 'speech');
}
