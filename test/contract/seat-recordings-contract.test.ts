/**
 * Issue 16 §4: recordings stay on the seat that made them, and History on another seat plays
 * them through the recordings share. Two engines (seats A and B) on one real PostgreSQL, B behind
 * the real headless server over real HTTP: a recording A stored (encrypted, in A's data folder) is
 * refused by B with a message naming seat A while B has no share set; once B's seat configuration
 * names the share (`seat.update`, where A's recordings folder is mounted as `<share>/seat-a`, a
 * symlink here), B's calls.recording gives a media path and B's server serves A's recording with
 * Range requests, decrypted, audited on B. A relative share is refused naming the field; a stored
 * path leaving the recordings folder is never followed. Also `seat.get` / `seat.update` for the
 * connection string (Settings, Seat): saved in seat.json (0600), shown without its password, a
 * restart applies it, and an engine started with no option reads it.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApiClient, type OutboundApi } from '../../electron/engine/api/client.js';
import { encodeWav } from '../../electron/engine/audio/index.js';
import { SEAT_FILE } from '../../electron/engine/dialer/seat.js';
import { Engine } from '../../electron/engine/index.js';
import { RECORDING_KEYS_FILE } from '../../electron/engine/recording/keys.js';
import { encryptPlainRecordings } from '../../electron/engine/recording/migrate.js';
import { KEY_FILE_NAME } from '../../electron/engine/secrets/key-file.js';
import { type HeadlessServer, startHeadlessServer } from '../../electron/headless/index.js';
import { apiError, quietLog, signInAs } from '../support/api-transports.js';
import { freshPostgresUrl, sharedPostgres } from '../support/postgres.js';
import { nodeWebSocketTransport } from '../support/ws-node.js';

describe('a recording made on seat A plays on seat B through the recordings share', () => {
  let scratch: string;
  let url: string;
  let a: Engine;
  let b: Engine;
  let server: HeadlessServer;
  let wav: Buffer;
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
  const start = (dataDir: string, seatId: string, database?: string) =>
    Engine.start({
      dataDir,
      ...(database === undefined ? {} : { database }),
      seatId,
      transport: 'websocket',
      version: '0.0.0-test',
      log: quietLog,
      actor: 'console',
    });

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'outbound-seat-recordings-'));
    url = await freshPostgresUrl();
    const dataA = join(scratch, 'seat-a');
    const dataB = join(scratch, 'seat-b');
    a = await start(dataA, 'seat-a', url);
    // A's call and its recording, stored as A's recorder stores one: encrypted, in A's folder.
    const started = Date.now() - 60_000;
    await a.store.calls.create({
      id: 'call-on-a',
      number: '+8613800000002',
      startedAt: started,
      seatId: 'seat-a',
    });
    await a.store.calls.update('call-on-a', {
      state: 'done',
      outcome: 'completed',
      answeredAt: started + 1_000,
      endedAt: started + 3_000,
    });
    const tone = new Float32Array(16_000).map((_, i) => 0.4 * Math.sin(i / 7));
    wav = encodeWav({ sampleRate: 16_000, channels: [tone, tone] });
    await mkdir(join(dataA, 'recordings'), { recursive: true });
    await writeFile(join(dataA, 'recordings', 'call-on-a.wav'), wav);
    await encryptPlainRecordings(join(dataA, 'recordings'), a.recordingKeys);
    await a.store.calls.addRecording({
      callId: 'call-on-a',
      path: 'recordings/call-on-a.wav',
      channels: 2,
      sampleRate: 16_000,
      durationMs: 1_000,
      bytes: wav.length,
    });
    // Seats sharing a database share the key file and the recording keys (docs/POSTGRES.md).
    await mkdir(dataB, { recursive: true, mode: 0o700 });
    for (const file of [KEY_FILE_NAME, RECORDING_KEYS_FILE])
      await copyFile(join(dataA, file), join(dataB, file));
    b = await start(dataB, 'seat-b', url);
    server = await startHeadlessServer({
      api: b,
      rendererDir: tmpdir(),
      port: 0,
      log: quietLog,
      media: (mediaPath, from) => b.mediaFile(mediaPath, from),
    });
  });

  afterAll(async () => {
    for (const close of closers) close();
    await server?.close();
    await b?.stop();
    await a?.stop();
    await (await sharedPostgres()).stop();
    await rm(scratch, { recursive: true, force: true });
  });

  it('names seat A while B has no share, then serves A’s recording from the share with Range requests, audited on B', async () => {
    const amy = await connect();
    await signInAs(b, amy, 'admin', 'amy');
    const missing = await apiError(amy.request('calls.recording', { id: 'call-on-a' }));
    expect(missing.code).toBe('NOT_FOUND');
    expect(missing.message).toContain('is on seat seat-a');
    expect(missing.message).toContain('no recordings share set');

    const relative = await apiError(amy.request('seat.update', { recordingsShare: 'shares' }));
    expect(relative.code).toBe('INVALID_PARAMS');
    expect(relative.field).toBe('recordingsShare');

    // The share: A's recordings folder mounted on B as <share>/seat-a (a symlink stands in for
    // the SMB or NFS mount). Set while B runs: no restart needed.
    const share = join(scratch, 'share');
    await mkdir(share);
    const wrong = await amy.request('seat.update', { recordingsShare: share });
    expect(wrong).toMatchObject({ seatId: 'seat-b', recordingsShare: share });
    const notMounted = await apiError(amy.request('calls.recording', { id: 'call-on-a' }));
    expect(notMounted.message).toContain(`${join(share, 'seat-a')} does not hold it`);
    await symlink(join(scratch, 'seat-a', 'recordings'), join(share, 'seat-a'));

    const { mediaPath, durationMs } = await amy.request('calls.recording', { id: 'call-on-a' });
    expect(durationMs).toBe(1_000);
    const part = await get(mediaPath, { Range: 'bytes=0-99' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 0-99/${wav.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(wav.subarray(0, 100))).toBe(true);
    const whole = await get(mediaPath);
    expect(Buffer.from(await whole.arrayBuffer()).equals(wav)).toBe(true);
    const fetched = await b.store.audit.list({ actions: ['recordings.fetch', 'seat.update'] });
    expect(fetched.map((e) => [e.action, e.actor])).toEqual(
      expect.arrayContaining([
        ['seat.update', 'amy'],
        ['recordings.fetch', 'amy'],
      ]),
    );
  });

  it('never follows a stored path out of the seat’s recordings folder', async () => {
    const started = Date.now();
    await a.store.calls.create({
      id: 'call-escaping',
      number: '+8613800000003',
      startedAt: started,
      seatId: 'seat-a',
    });
    await a.store.calls.addRecording({
      callId: 'call-escaping',
      // Out of B's data folder and out of A's recordings folder under the share: to A's key file.
      path: 'recordings/../../seat-a/secret.key',
      channels: 2,
      sampleRate: 16_000,
      durationMs: 1_000,
      bytes: 32,
    });
    const amy = await connect();
    await signInAs(b, amy, 'admin', 'amy');
    expect((await apiError(amy.request('calls.recording', { id: 'call-escaping' }))).code).toBe(
      'NOT_FOUND',
    );
  });

  it('keeps the connection string in seat.json (0600), shows it without its password, and the next start opens it', async () => {
    const amy = await connect();
    await signInAs(b, amy, 'admin', 'amy');
    const before = await amy.request('seat.get', {});
    expect(before).toMatchObject({
      seatId: 'seat-b',
      databaseSource: 'option',
      savedDatabase: '',
      restartNeeded: false,
    });
    expect(before.database).toMatch(/^postgres:\/\/outbound@127\.0\.0\.1:\d+\//);
    const bad = await apiError(amy.request('seat.update', { database: 'mysql://u:pw@h/db' }));
    expect(bad.code).toBe('INVALID_PARAMS');
    expect(bad.field).toBe('database');
    expect(bad.message).not.toContain('pw');
    const withPassword = url.replace('outbound@', 'outbound:s3cret@');
    const saved = await amy.request('seat.update', { database: withPassword });
    expect(saved.savedDatabase).toBe(withPassword.replace('s3cret', '***'));
    // The option this engine was started with wins over the saved one: nothing to restart for.
    expect(saved.restartNeeded).toBe(false);
    const file = join(scratch, 'seat-b', SEAT_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({
      id: expect.any(String),
      database: withPassword,
      recordingsShare: join(scratch, 'share'),
    });
    const audit = await b.store.audit.list({ actions: ['seat.update'] });
    expect(JSON.stringify(audit)).not.toContain('s3cret');

    // A third seat whose seat.json names the database, started with no option (and no
    // OUTBOUND_DATABASE): it opens the shared store, and says where the choice came from.
    const dataC = join(scratch, 'seat-c');
    await mkdir(dataC, { recursive: true, mode: 0o700 });
    await writeFile(join(dataC, SEAT_FILE), JSON.stringify({ id: 'seat-c', database: url }), {
      mode: 0o600,
    });
    expect(process.env.OUTBOUND_DATABASE).toBeUndefined();
    const c = await start(dataC, 'seat-c');
    try {
      expect(await c.store.calls.get('call-on-a')).toMatchObject({ id: 'call-on-a' });
      expect(await c.seatInfo()).toMatchObject({
        seatId: 'seat-c',
        databaseSource: 'workspace',
        restartNeeded: false,
      });
      // Back to the SQLite file in Settings: applied at the next start.
      await c.request('seat.update', { database: '' });
      expect(await c.seatInfo()).toMatchObject({ savedDatabase: '', restartNeeded: true });
    } finally {
      await c.stop();
    }
  });
});
