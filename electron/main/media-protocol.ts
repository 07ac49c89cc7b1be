/**
 * `outbound-media://` in the desktop shell: how the console's <audio> element plays a call's
 * recording when the console runs in Electron (file:// pages cannot reach the data folder, and the
 * IPC bridge carries API messages, not media). The scheme is privileged (standard, secure,
 * streamed, fetchable) so the media element can seek it with Range requests, answered here with
 * the same range rules as the headless server's GET /media/… (electron/headless/media.ts).
 *
 *   outbound-media://recordings/<callId>  →  the engine's resolver  →  the WAV, decrypted by range
 */
import { Readable } from 'node:stream';

import { type CustomScheme, protocol } from 'electron';

import { type MediaResolver, parseRange } from '../headless/media.js';

export const MEDIA_SCHEME = 'outbound-media';

/**
 * Must run before the app is ready (Electron's rule for privileged schemes). Electron takes one
 * call for all schemes, so the shell's other privileged schemes come in as `others`.
 */
export function registerMediaScheme(others: CustomScheme[] = []): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: MEDIA_SCHEME,
      privileges: { standard: true, secure: true, stream: true, supportFetchAPI: true },
    },
    ...others,
  ]);
}

/** Serves media paths through the engine's resolver; call once the app is ready. */
export function handleMediaProtocol(resolve: MediaResolver): void {
  protocol.handle(MEDIA_SCHEME, async (request) => {
    const url = new URL(request.url);
    let mediaPath: string;
    try {
      // A standard scheme parses `recordings` as the host and `/<callId>` as the path.
      mediaPath = decodeURIComponent(`${url.host}${url.pathname}`);
    } catch {
      return new Response('Bad media path', { status: 400 });
    }
    const file = await resolve(mediaPath, {});
    if (!file) return new Response('No such media', { status: 404 });
    const size = file.size;
    const range = parseRange(request.headers.get('range') ?? undefined, size);
    const headers = { 'Content-Type': file.contentType, 'Accept-Ranges': 'bytes' };
    if (range === 'unsatisfiable' || size === 0) {
      await file.close();
      return new Response(null, {
        status: range === 'unsatisfiable' ? 416 : 200,
        headers:
          range === 'unsatisfiable' ? { ...headers, 'Content-Range': `bytes */${size}` } : headers,
      });
    }
    const { start, end } = range ?? { start: 0, end: size - 1 };
    const source = file.stream(start, end);
    const release = (): void => void file.close().catch(() => undefined);
    source.on('close', release);
    source.on('error', release);
    const body = Readable.toWeb(source) as ReadableStream<Uint8Array>;
    return new Response(body, {
      status: range ? 206 : 200,
      headers: {
        ...headers,
        'Content-Length': String(end - start + 1),
        ...(range ? { 'Content-Range': `bytes ${start}-${end}/${size}` } : {}),
      },
    });
  });
}
