/**
 * Recordings encrypted at rest (issue 15): what encryption costs a call in CPU, and what it costs
 * a seek in History (time to the first byte of a Range in the middle of a 10-minute recording),
 * each beside plaintext.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { encodeWavHeader } from '../electron/engine/audio/wav.js';
import { CallRecorder } from '../electron/engine/recording/call-recorder.js';
import { sealChunk } from '../electron/engine/recording/container.js';
import { openRecording, type RecordingKeys } from '../electron/engine/recording/index.js';
import { testKeys } from '../electron/engine/recording/testing/keys.js';
import { makeFrame } from '../electron/engine/recording/testing/signal.js';
import { type MediaResolver, serveMedia } from '../electron/headless/media.js';
import { type BenchRow, type BenchSuite, ms, percentile } from './harness.js';

const CALL_S = 600; // a 10-minute call
const FRAMES = (CALL_S * 1000) / 20;
const RUNS = 7;
const SEEKS = 60;

const median = (values: number[]): number =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** CPU ms to record a whole call (frames pushed as the media host does, every write awaited per 0.5 s). */
async function recordCall(dir: string, keys: RecordingKeys, callId: string): Promise<number> {
  const frames = Array.from({ length: 50 }, (_, seq) => makeFrame(seq));
  const start = cpuMs();
  const recorder = await CallRecorder.create({ dir, callId, keys });
  for (let seq = 0; seq < FRAMES; seq++) {
    recorder.push({ ...frames[seq % 50]!, seq });
    if (seq % 25 === 24) await recorder.flush();
  }
  await recorder.finish();
  return cpuMs() - start;
}

/** CPU ms of the sealing alone for the same call: each 0.5 s chunk and the final chunk after it. */
function sealCall(keys: RecordingKeys): number {
  const { key, header } = keys.newRecording({
    sampleRate: 16_000,
    maxChunkBytes: 32_000,
    meta: {},
  });
  const chunk = Buffer.alloc(32_000, 7);
  const empty = Buffer.alloc(0);
  const start = cpuMs();
  for (let i = 0; i < FRAMES / 25; i++) {
    Buffer.concat([
      sealChunk(key, header, i, false, chunk),
      sealChunk(key, header, i + 1, true, empty),
    ]);
  }
  return cpuMs() - start;
}

/** Time to the first byte of a Range request over HTTP. */
function firstByte(port: number, path: string, range: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = request({ host: '127.0.0.1', port, path, headers: { Range: range } }, (res) => {
      res.once('data', () => {
        resolve(Number(process.hrtime.bigint() - started) / 1e6);
        res.resume();
      });
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end();
  });
}

const suite: BenchSuite = {
  title: 'Recordings encrypted at rest',
  method: `CPU: a ${CALL_S / 60}-minute stereo 16 kHz call recorded by CallRecorder (0.5 s AES-256-GCM chunks, 10 s segments, joined at the end), CPU time (user + system, process.cpuUsage) per second of audio, median of ${RUNS} calls; the sealing alone is timed on the same chunks, and plaintext is the recorder's CPU less its sealing (the plaintext recorder no longer exists to run). Seek: time to the first byte of a 64 kB Range at a random point in the middle half of a ${CALL_S / 60}-minute recording over the headless media route (serveMedia on loopback; each request opens the recording: header, key unwrap, index, final chunk, then the chunks the range touches), encrypted vs the same audio as a plaintext WAV through the same route, ${SEEKS} requests each, interleaved.`,
  async run() {
    const dir = await mkdtemp(join(tmpdir(), 'outbound-bench-recording-'));
    const keys = testKeys();
    let server: Server | null = null;
    try {
      const recorded: number[] = [];
      const sealed: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        recorded.push(await recordCall(dir, keys, `call-${run}`));
        sealed.push(sealCall(keys));
      }
      const perSecondUs = (cpu: number): number => (cpu * 1000) / CALL_S;
      const encryptedUs = perSecondUs(median(recorded));
      const sealingUs = perSecondUs(median(sealed));
      const plainUs = encryptedUs - sealingUs;
      const core = (us: number): string => `${((us / 1e6) * 100).toFixed(3)} %`;
      const us = (v: number): string => `${v.toFixed(0)} µs`;

      // Seek: the last recorded call, and the same audio as a plaintext WAV.
      const encryptedPath = join(dir, 'call-0.wav');
      const reader = await openRecording(encryptedPath, keys);
      const wav = await reader.read(0, reader.size);
      await reader.close();
      const plainPath = join(dir, 'plain.wav');
      await writeFile(
        plainPath,
        Buffer.concat([
          encodeWavHeader({ sampleRate: 16_000, channels: 2, dataBytes: wav.length - 44 }),
          wav.subarray(44),
        ]),
      );
      const resolver: MediaResolver = async (mediaPath) => {
        const source = await openRecording(mediaPath === 'enc' ? encryptedPath : plainPath, keys);
        return {
          contentType: 'audio/wav',
          size: source.size,
          stream: (start, end) => source.stream(start, end),
          close: () => source.close(),
        };
      };
      server = createServer((req, res) => {
        void serveMedia(req, res, new URL(req.url ?? '/', 'http://x').pathname, resolver);
      });
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as AddressInfo).port;
      const timings = { enc: [] as number[], plain: [] as number[] };
      for (let i = 0; i < SEEKS + 5; i++) {
        const at = 44 + Math.floor(((0.25 + Math.random() / 2) * (wav.length - 44)) / 4) * 4;
        const range = `bytes=${at}-${at + 65_535}`;
        for (const kind of i % 2 === 0
          ? (['enc', 'plain'] as const)
          : (['plain', 'enc'] as const)) {
          const took = await firstByte(port, `/media/${kind}`, range);
          if (i >= 5) timings[kind].push(took); // the first five warm up
        }
      }
      const seekEnc = median(timings.enc);
      const seekPlain = median(timings.plain);
      const p95 = (values: number[]): number =>
        percentile(
          [...values].sort((a, b) => a - b),
          95,
        );
      const rows: BenchRow[] = [
        {
          name: `CPU per call, encrypted (${CALL_S / 60} min)`,
          values: {
            'per second of audio': us(encryptedUs),
            'of one core': core(encryptedUs),
            'per call': ms(median(recorded)),
          },
        },
        {
          name: 'of which AES-256-GCM sealing',
          values: {
            'per second of audio': us(sealingUs),
            'of one core': core(sealingUs),
            'per call': ms(median(sealed)),
          },
        },
        {
          name: 'CPU per call, plaintext (recorder less sealing)',
          values: {
            'per second of audio': us(plainUs),
            'of one core': core(plainUs),
            'per call': ms(median(recorded) - median(sealed)),
          },
        },
        {
          name: 'CPU ratio encrypted / plaintext',
          values: { 'per second of audio': `${(encryptedUs / plainUs).toFixed(2)}×` },
        },
        {
          name: 'Seek: first byte of a mid-call Range, encrypted',
          values: { median: ms(seekEnc), p95: ms(p95(timings.enc)) },
        },
        {
          name: 'Seek: first byte of a mid-call Range, plaintext WAV',
          values: { median: ms(seekPlain), p95: ms(p95(timings.plain)) },
        },
        {
          name: 'Seek ratio encrypted / plaintext',
          values: { median: `${(seekEnc / seekPlain).toFixed(2)}×` },
        },
      ];
      return rows;
    } finally {
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      await rm(dir, { recursive: true, force: true });
    }
  },
};

export default suite;
