/**
 * The bot's voice: turns a prompt's text into the 20 ms frames the call plays.
 *
 * Static prompts (no {variables}) go through the disk prompt cache (rendered when the flow was
 * saved, so they start at once) with a small in-memory layer for the prompts every call says.
 * A prompt filled in from the contact's fields ({name}, {amount}) is personal data: it is
 * synthesized on the call's speech worker and kept only in that call's `CallPrompts`, never on
 * disk and never in the shared memory layer, and dropped when the call's bot closes. The prompts a
 * call opens with are prefetched into its CallPrompts while the phone rings (CallBot), so a
 * personal greeting plays as soon as the customer answers.
 */
import { chunkFrames } from '../audio/index.js';
import type { FlowLanguage } from '../dialog/index.js';
import type { Logger } from '../log.js';
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
  /** Rendering started before the call asked for it (CallPrompts.prefetch, while ringing). */
  prefetched?: boolean;
}

export interface PromptRendererOptions {
  /** Size limit of the disk cache (default `DEFAULT_PROMPT_CACHE_MAX_BYTES`, 512 MiB). */
  diskMaxBytes?: number;
  /** Static prompts kept decoded in memory. */
  memoryEntries?: number;
  log?: Logger;
}

const toOptions = (voice: BotVoice): TtsOptions => ({
  language: voice.language,
  voice: voice.voice,
  rate: voice.rate,
  pitch: voice.pitch,
});

export class PromptRenderer {
  /** Identifies the engine in cache keys without loading it on this thread. */
  private readonly engine = new EspeakWasmTts();
  readonly cache: PromptCache;
  private readonly memory = new Map<string, { frames: Int16Array[]; durationMs: number }>();
  private readonly memoryEntries: number;

  constructor(
    /** The speech workers (started on first use). */
    private readonly pool: () => SpeechWorkerPool,
    cacheDir: string,
    options: PromptRendererOptions = {},
  ) {
    this.memoryEntries = options.memoryEntries ?? 200;
    this.cache = new PromptCache(cacheDir, {
      ...(options.diskMaxBytes !== undefined ? { maxBytes: options.diskMaxBytes } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
  }

  /** A static prompt (no contact data in it), through the memory layer and the disk cache. */
  async render(text: string, voice: BotVoice, callId?: string): Promise<RenderedPrompt> {
    const options = toOptions(voice);
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
    this.remember(memoryKey, entry.frames, entry.durationMs);
    return { ...entry, source: rendered.hit ? 'disk' : 'synthesized' };
  }

  /** Renders into the caches without playing (static prompts at save time). */
  async prerender(text: string, voice: BotVoice): Promise<void> {
    await this.render(text, voice);
  }

  /**
   * Loads a flow's static prompts from the disk cache into the memory layer before its calls
   * (BotService.prepare), one after another: a reply then never waits for its disk read (issue 17:
   * 50–220 ms for a prompt a call said first, on a loaded machine). It never synthesizes: a prompt
   * not on disk is rendered by the call that says it (or when the flow is saved), so a flow file
   * run from the CLI does not queue its every prompt ahead of the call's greeting.
   */
  async warm(texts: readonly string[], voice: BotVoice): Promise<void> {
    const options = toOptions(voice);
    for (const text of texts) {
      const key = promptKeyFor(this.engine, text, options);
      const memoryKey = JSON.stringify(key);
      if (this.memory.has(memoryKey)) continue;
      const cached = await this.cache.get(key).catch(() => null);
      if (cached) this.remember(memoryKey, chunkFrames(cached.samples), cached.durationMs);
    }
  }

  private remember(memoryKey: string, frames: Int16Array[], durationMs: number): void {
    this.memory.set(memoryKey, { frames, durationMs });
    while (this.memory.size > this.memoryEntries) {
      const oldest = this.memory.keys().next().value;
      if (oldest === undefined) break;
      this.memory.delete(oldest);
    }
  }

  /** The prompts of one call: personal ones stay in it, static ones use the shared caches. */
  forCall(callId: string): CallPrompts {
    return new CallPrompts(this, this.pool, callId);
  }
}

interface PersonalEntry {
  rendering: Promise<{ frames: Int16Array[]; durationMs: number }>;
  /** Said at least once (later uses report `memory`). */
  used: boolean;
  prefetched: boolean;
}

/**
 * One call's prompts; `close()` forgets its personal ones. `prefetch()` starts rendering a prompt
 * the call is about to say (the opening prompts, while the phone rings); `render()` then takes
 * the same rendering, finished or still in flight, instead of starting another.
 */
export class CallPrompts {
  /** Personal prompts of this call (in flight or done): only ever in this map. */
  private readonly personal = new Map<string, PersonalEntry>();
  /** Static prompts prefetched for this call, until said (the shared layers keep them after). */
  private readonly prefetched = new Map<string, Promise<RenderedPrompt>>();
  private closed = false;

  constructor(
    private readonly renderer: PromptRenderer,
    private readonly pool: () => SpeechWorkerPool,
    readonly callId: string,
  ) {}

  /** Starts rendering now. A failure surfaces when the prompt is said (and it is tried again then). */
  prefetch(text: string, voice: BotVoice, personal: boolean): void {
    if (this.closed) return;
    const key = JSON.stringify([voice, text]);
    if (personal) {
      if (!this.personal.has(key)) this.startPersonal(key, text, voice, true);
      return;
    }
    if (this.prefetched.has(key)) return;
    const rendering = this.renderer.render(text, voice, this.callId);
    this.prefetched.set(key, rendering);
    rendering.catch(() => {
      if (this.prefetched.get(key) === rendering) this.prefetched.delete(key);
    });
  }

  /** `personal`: the text holds the contact's data (see SayOptions.personal). */
  async render(text: string, voice: BotVoice, personal: boolean): Promise<RenderedPrompt> {
    const key = JSON.stringify([voice, text]);
    if (!personal) {
      const prefetched = this.prefetched.get(key);
      if (!prefetched) return this.renderer.render(text, voice, this.callId);
      this.prefetched.delete(key);
      return { ...(await prefetched), prefetched: true };
    }
    const entry = this.personal.get(key) ?? this.startPersonal(key, text, voice, false);
    const firstUse = !entry.used;
    entry.used = true;
    const rendered = await entry.rendering;
    if (!firstUse) return { ...rendered, source: 'memory' };
    return {
      ...rendered,
      source: 'synthesized',
      ...(entry.prefetched ? { prefetched: true } : {}),
    };
  }

  /** Synthesizes a personal prompt on the call's worker; a failed one is forgotten (tried again next time). */
  private startPersonal(
    key: string,
    text: string,
    voice: BotVoice,
    prefetched: boolean,
  ): PersonalEntry {
    const rendering = this.pool()
      .synthesize(text, toOptions(voice), this.callId)
      .then(({ samples, durationMs }) => ({ frames: chunkFrames(samples), durationMs }));
    const entry: PersonalEntry = { rendering, used: false, prefetched };
    if (!this.closed) this.personal.set(key, entry);
    rendering.catch(() => {
      if (this.personal.get(key) === entry) this.personal.delete(key);
    });
    return entry;
  }

  /** How many personal prompts this call holds (tests). */
  get personalCount(): number {
    return this.personal.size;
  }

  close(): void {
    this.closed = true;
    this.personal.clear();
    this.prefetched.clear();
  }
}
