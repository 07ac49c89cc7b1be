/**
 * The bot's voice: turns a prompt's text into the 20 ms frames the call plays. Every rendering
 * goes through the disk prompt cache (static prompts were rendered when the flow was saved, so
 * they start at once; variable ones — {name}, {amount} — are synthesized on a speech worker the
 * first time and reused after), with a small in-memory layer for the prompts every call says.
 */
import { chunkFrames } from '../audio/index.js';
import type { FlowLanguage } from '../dialog/index.js';
import type { SpeechWorkerPool } from '../speech/index.js';
import { EspeakWasmTts, PromptCache, promptKeyFor, type TtsOptions } from '../tts/index.js';

export interface BotVoice {
  language: FlowLanguage;
  /** espeak-ng voice id. */
  voice: string;
  rate: number;
  pitch: number;
}

/** The default voice per language: American English, and Mandarin read through pinyin. */
export function defaultVoice(language: FlowLanguage): BotVoice {
  return language === 'zh-CN'
    ? { language, voice: 'cmn-latn-pinyin', rate: 1, pitch: 50 }
    : { language, voice: 'en-us', rate: 1, pitch: 50 };
}

export interface RenderedPrompt {
  frames: Int16Array[];
  durationMs: number;
  /** Where it came from: memory, the disk cache, or a fresh synthesis. */
  source: 'memory' | 'disk' | 'synthesized';
}

export class PromptRenderer {
  /** Identifies the engine in cache keys without loading it on this thread. */
  private readonly engine = new EspeakWasmTts();
  private readonly cache: PromptCache;
  private readonly memory = new Map<string, { frames: Int16Array[]; durationMs: number }>();

  constructor(
    /** The speech workers (started on first use). */
    private readonly pool: () => SpeechWorkerPool,
    cacheDir: string,
    private readonly memoryEntries = 200,
  ) {
    this.cache = new PromptCache(cacheDir);
  }

  async render(text: string, voice: BotVoice, callId?: string): Promise<RenderedPrompt> {
    const options: TtsOptions = {
      language: voice.language,
      voice: voice.voice,
      rate: voice.rate,
      pitch: voice.pitch,
    };
    const key = promptKeyFor(this.engine, text, options);
    const memoryKey = JSON.stringify(key);
    const hot = this.memory.get(memoryKey);
    if (hot) {
      this.memory.delete(memoryKey);
      this.memory.set(memoryKey, hot);
      return { ...hot, source: 'memory' };
    }
    const rendered = await this.cache.render(key, async () => {
      const { samples, durationMs } = await this.pool().synthesize(text, options, callId);
      return { samples, durationMs, sampleRate: 16000 };
    });
    const entry = { frames: chunkFrames(rendered.samples), durationMs: rendered.durationMs };
    this.memory.set(memoryKey, entry);
    while (this.memory.size > this.memoryEntries) {
      const oldest = this.memory.keys().next().value;
      if (oldest === undefined) break;
      this.memory.delete(oldest);
    }
    return { ...entry, source: rendered.hit ? 'disk' : 'synthesized' };
  }

  /** Renders into the caches without playing (static prompts at save time). */
  async prerender(text: string, voice: BotVoice): Promise<void> {
    await this.render(text, voice);
  }
}
