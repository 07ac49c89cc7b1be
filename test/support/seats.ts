/**
 * Seats for the multi-seat end-to-end tests (seats-transfer.test, seats-refer.test): built engines
 * started by `outbound serve --database <url>` on one shared PostgreSQL, one process per seat, each
 * with its own data folder, fake microphone and media host Chromium (its DevTools port open, so a
 * test can attach to the media host page and tap a speaker). Owns starting them, copying the first
 * seat's keys into the others, API connections (as the local admin or a signed-in user), the media
 * host page over CDP, and tearing all of it down; also the clips, the agent and the timing the
 * two tests share.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';

import { createApiClient, type OutboundApi } from '../../electron/engine/api/client.js';
import { readWav, toMono } from '../../electron/engine/audio/index.js';
import type { Bed } from '../telephony/index.js';
import { PHASE_MS } from './ear-tap.js';
import { favourMediaHost } from './favour-media-host.js';
import { attachMediaHost } from './media-host-page.js';
import { freePort } from './ports.js';
import { serve, type Served } from './serve.js';
import { nodeWebSocketTransport } from './ws-node.js';

export interface Seat {
  served: Served;
  dir: string;
  debugPort: number;
  host: { browser: Browser; page: Page } | null;
}

export interface Credentials {
  username: string;
  password: string;
}

/** What the agent Mei says into her seat's fake microphone. */
export const AGENT_TEXT = 'Hi, this is Mei from customer care, I can move your delivery to Friday.';
/** The agent on another seat. */
export const MEI: Credentials = { username: 'mei', password: 'mei-password-1' };

/**
 * A clip the bed speaks (English, 16 kHz, 145 words a minute, `leadMs` of silence first): its file
 * (for a fake microphone or a phone) and its samples, mono, to correlate with what was heard.
 */
export async function speechClip(
  bed: Bed,
  name: string,
  text: string,
  pitch: number,
  leadMs: number,
): Promise<{ path: string; samples: Float32Array; rate: number }> {
  const made = await bed.clip(name, {
    voice: 'en',
    rate: 16000,
    text,
    pitch,
    wordsPerMinute: 145,
    leadMs,
  });
  const wav = await readWav(made.path);
  return { path: made.path, samples: toMono(wav.samples), rate: wav.sampleRate };
}

/** Waits `ms` (a phase while the ears record) and says when it began and ended (wall clock). */
export async function hold(ms = PHASE_MS): Promise<{ from: number; to: number }> {
  const from = Date.now();
  await new Promise((r) => setTimeout(r, ms));
  return { from, to: Date.now() };
}

/** A flow whose bot greets the contact and transfers the call to the default queue. */
export function transferFlow(id: string, name: string) {
  return {
    id,
    name,
    language: 'en',
    start: 'hello',
    nodes: {
      hello: { kind: 'say', text: 'Hello {name}. One moment please.', next: 'handoff' },
      handoff: {
        kind: 'transfer',
        say: 'I am connecting you to a person.',
        queue: 'default',
        reason: 'the customer asks for a person',
      },
    },
  };
}

/** A test file's seats, keyed by a letter; the seat id is `seat-<letter>`. */
export class Seats<Id extends string> {
  private readonly started = new Map<Id, Seat>();
  private readonly closers: Array<() => void> = [];

  /** `dirPrefix` names the seats' temp folders (`<dirPrefix>-<id>-…`). */
  constructor(private readonly dirPrefix: string) {}

  /** A started seat (throws when it was not started: the suite's set-up failed). */
  get(id: Id): Seat {
    const seat = this.started.get(id);
    if (!seat) throw new Error(`seat ${id} was not started`);
    return seat;
  }

  /**
   * Starts seat `id` on the database at `url`, its fake microphone playing `mic`. Seats sharing a
   * database share the key that seals stored secrets (docs/POSTGRES.md): `keyFrom`, the first
   * seat's data folder, gives its `secret.key`, and with `recordingKeys` also the recording key it
   * seals (`recording-keys.json`), so any seat plays any seat's recordings.
   */
  async start(
    id: Id,
    options: { url: string; mic: string; keyFrom?: string; recordingKeys?: boolean },
  ): Promise<Seat> {
    const dir = await mkdtemp(join(tmpdir(), `${this.dirPrefix}-${id}-`));
    const { keyFrom } = options;
    if (keyFrom) {
      await copyFile(join(keyFrom, 'secret.key'), join(dir, 'secret.key'));
      if (options.recordingKeys)
        await copyFile(join(keyFrom, 'recording-keys.json'), join(dir, 'recording-keys.json'));
    }
    const debugPort = await freePort();
    const served = await serve(dir, ['--database', options.url], {
      env: {
        ...process.env,
        OUTBOUND_SEAT_ID: `seat-${id}`,
        OUTBOUND_FAKE_MIC: options.mic,
        OUTBOUND_MEDIA_HOST_DEBUG_PORT: String(debugPort),
      },
    });
    const seat: Seat = { served, dir, debugPort, host: null };
    this.started.set(id, seat);
    return seat;
  }

  /** An API client on `seat`: the local admin's, or signed in as `who`. */
  async connect(seat: Seat, who?: Credentials): Promise<OutboundApi> {
    const transport = nodeWebSocketTransport(
      // The server's token opens a signed-out connection; the admin token is the local admin's.
      `ws://127.0.0.1:${seat.served.port}/api?token=${who ? seat.served.token : seat.served.adminToken}`,
    );
    await transport.ready();
    this.closers.push(() => transport.close());
    const api = createApiClient(transport);
    if (who) await api.request('auth.signIn', who);
    return api;
  }

  /** A seat's media host page, attached over DevTools (once; later calls reuse it). */
  async hostPage(seat: Seat): Promise<Page> {
    if (seat.host) return seat.host.page;
    const { browser, page } = await attachMediaHost(seat.debugPort);
    seat.host = { browser, page };
    return page;
  }

  /**
   * Every started seat's media host favoured for the CPU (favour-media-host.ts): each mixes or
   * plays a leg of the call under test, and a starved one conceals seconds of it. Call once their
   * media hosts are up (their lines registered).
   */
  async favourMediaHosts(): Promise<void> {
    for (const seat of this.started.values()) await favourMediaHost(await this.hostPage(seat));
  }

  /** Closes the connections, detaches from the media hosts, stops the seats, removes their folders. */
  async stop(): Promise<void> {
    for (const close of this.closers) close();
    await Promise.all(
      [...this.started.values()].map(async (seat) => {
        await seat.host?.browser.close().catch(() => undefined);
        await seat.served.stop().catch(() => undefined);
        await rm(seat.dir, { recursive: true, force: true });
      }),
    );
  }
}

/**
 * The agent hangs up from her own seat; once the call (read by `reader`, any seat's API) is in
 * wrap-up, she submits it there.
 */
export async function hangUpToWrapUp(
  agent: OutboundApi,
  reader: OutboundApi,
  callId: string,
  notes: string,
): Promise<void> {
  await agent.request('calls.hangup', { id: callId });
  await expect
    .poll(async () => (await reader.request('calls.get', { id: callId })).call.state, {
      timeout: 15_000,
    })
    .toBe('wrap_up');
  await agent.request('calls.wrapUp', { callId, disposition: 'resolved', notes, doNotCall: false });
}
