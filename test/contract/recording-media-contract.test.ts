/**
 * Recording URLs by the signed-in user's role (issue 13), over the real headless server and real
 * HTTP: calls.recording (supervisors and admins, by the role map) mints a grant for who asked, in
 * the media path it returns; GET /media/<path> serves the WAV only with that grant, with Range
 * requests as before, and audits `recordings.fetch` as that user. An agent can get no grant, the
 * bare `recordings/<callId>` path and made-up grants are not served, and a grant ends with the
 * sign-out of the user it was minted for. (Electron's outbound-media:// goes through the same
 * engine.mediaFile; Electron cannot run here.)
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApiClient, type OutboundApi } from '../../electron/engine/api/client.js';
import { encodeWav } from '../../electron/engine/audio/index.js';
import { Engine } from '../../electron/engine/index.js';
import { encryptPlainRecordings } from '../../electron/engine/recording/migrate.js';
import { type HeadlessServer, startHeadlessServer } from '../../electron/headless/index.js';
import { apiError, quietLog, signInAs } from '../support/api-transports.js';
import { nodeWebSocketTransport } from '../support/ws-node.js';

describe('recording URLs follow the signed-in role', () => {
  let dataDir: string;
  let engine: Engine;
  let server: HeadlessServer;
  let wavBytes: number;
  let wavData: Buffer;
  const closers: Array<() => void> = [];

  const connect = async (): Promise<OutboundApi> => {
    const transport = nodeWebSocketTransport(
      `ws://127.0.0.1:${server.port}/api?token=${server.token}`,
    );
    await transport.ready();
    closers.push(() => transport.close());
    return createApiClient(transport);
  };
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`http://127.0.0.1:${server.port}/media/${path}?token=${server.token}`, { headers });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'outbound-recording-media-'));
    engine = await Engine.start({
      dataDir,
      transport: 'websocket',
      version: '0.0.0-test',
      log: quietLog,
      actor: 'console',
    });
    server = await startHeadlessServer({
      api: engine,
      rendererDir: tmpdir(),
      port: 0,
      log: quietLog,
      media: (mediaPath, from) => engine.mediaFile(mediaPath, from),
    });
    const started = Date.now() - 60_000;
    await engine.store.calls.create({
      id: 'rec-call',
      number: '+8613800000002',
      startedAt: started,
    });
    await engine.store.calls.update('rec-call', {
      state: 'done',
      outcome: 'completed',
      answeredAt: started + 1_000,
      endedAt: started + 3_000,
    });
    const tone = new Float32Array(16_000).map((_, i) => 0.4 * Math.sin(i / 7));
    const wav = encodeWav({ sampleRate: 16_000, channels: [tone, tone] });
    wavBytes = wav.length;
    await mkdir(join(dataDir, 'recordings'), { recursive: true });
    await writeFile(join(dataDir, 'recordings', 'rec-call.wav'), wav);
    wavData = wav;
    // Stored encrypted, as the recorder stores every recording (here by the plaintext migration).
    await encryptPlainRecordings(join(dataDir, 'recordings'), engine.recordingKeys);
    await engine.store.calls.addRecording({
      callId: 'rec-call',
      path: 'recordings/rec-call.wav',
      channels: 2,
      sampleRate: 16_000,
      durationMs: 1_000,
      bytes: wavBytes,
    });
  });

  afterAll(async () => {
    for (const close of closers) close();
    await server?.close();
    await engine?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("serves a supervisor's grant with Range requests and audits the fetch as that supervisor", async () => {
    const sue = await connect();
    await signInAs(engine, sue, 'supervisor', 'sue');
    const { mediaPath } = await sue.request('calls.recording', { id: 'rec-call' });
    expect(mediaPath).toMatch(/^recordings\/rec-call\/[A-Za-z0-9_-]{43}$/);
    const part = await get(mediaPath, { Range: 'bytes=0-99' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 0-99/${wavBytes}`);
    // Decrypted on the way: the bytes of the WAV, not of the encrypted file.
    expect(Buffer.from(await part.arrayBuffer()).equals(wavData.subarray(0, 100))).toBe(true);
    const whole = await get(mediaPath);
    expect(whole.status).toBe(200);
    expect(Buffer.from(await whole.arrayBuffer()).equals(wavData)).toBe(true);
    const tail = await get(mediaPath, { Range: 'bytes=-44' });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer()).equals(wavData.subarray(-44))).toBe(true);
    const fetched = await engine.store.audit.list({ actions: ['recordings.fetch'] });
    expect(fetched).toHaveLength(1); // ranges of one listening: one entry
    expect(fetched[0]).toMatchObject({
      actor: 'sue',
      role: 'supervisor',
      source: 'ws',
      subject: 'rec-call',
    });
    expect(fetched[0]?.address).toMatch(/^(::ffff:)?127\.0\.0\.1$|^::1$/);
    // The grant is for that call only, and ends with the supervisor's sign-out.
    const grant = mediaPath.split('/')[2]!;
    expect((await get(`recordings/other-call/${grant}`)).status).toBe(404);
    await sue.request('auth.signOut');
    expect((await get(mediaPath, { Range: 'bytes=0-99' })).status).toBe(404);
  });

  it('gives an agent no grant, and serves no recording without one', async () => {
    const ann = await connect();
    await signInAs(engine, ann, 'agent', 'ann');
    const refused = await apiError(ann.request('calls.recording', { id: 'rec-call' }));
    expect(refused.code).toBe('FORBIDDEN');
    // The console token (query or cookie) alone no longer opens a recording.
    expect((await get('recordings/rec-call')).status).toBe(404);
    expect((await get(`recordings/rec-call/${'A'.repeat(43)}`)).status).toBe(404);
    expect((await get('recordings/rec-call', { Range: 'bytes=0-99' })).status).toBe(404);
    const fetched = await engine.store.audit.list({ actions: ['recordings.fetch'] });
    expect(fetched.map((entry) => entry.actor)).toEqual(['sue']);
  });
});
