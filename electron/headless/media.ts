/**
 * Media files (call recordings) over the headless server: `GET /media/<mediaPath>` behind the same
 * token check as everything else, with HTTP Range support so the console's <audio> element can
 * seek a long recording without downloading all of it. What a media path means is the engine's
 * business (`MediaResolver`); this file only speaks HTTP. Recordings are encrypted on disk: the
 * resolver hands back a source that decrypts the range asked for (recording/reader.ts), so the
 * size and ranges here are those of the WAV it stands for, and no plaintext file is ever made.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';

export const MEDIA_PREFIX = '/media/';

/** What a media path resolves to: its bytes by range, decrypted as they are read. */
export interface MediaSource {
  contentType: string;
  /** Bytes of the media (for an encrypted recording: of the WAV it stands for). */
  size: number;
  /** Bytes start..end, inclusive. */
  stream(start: number, end: number): Readable;
  /** Releases the source (its open file); called once the response is done. */
  close(): Promise<void>;
}

/**
 * Maps a media path (e.g. `recordings/<callId>`) to a source, or null when there is none. `from` is
 * the request's remote address (the engine audits a recording served).
 */
export type MediaResolver = (
  mediaPath: string,
  from: { address?: string },
) => Promise<MediaSource | null>;

/** A `Range: bytes=…` header against a file of `size` bytes: one range, or 'unsatisfiable', or null (serve it whole). */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | null {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return null; // Several ranges or another unit: the whole file is a valid answer.
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return null;
  let start: number;
  let end: number;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(first);
    end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

/** Serves one media request; the caller has checked the host and the token. */
export async function serveMedia(
  request: IncomingMessage,
  response: ServerResponse,
  pathname: string,
  resolve: MediaResolver | undefined,
): Promise<void> {
  const text = (status: number, body: string): void => {
    response.writeHead(status, {
      'Content-Type': 'text/plain; charset=utf-8',
      'Cache-Control': 'no-store',
    });
    response.end(`${body}\n`);
  };
  let mediaPath: string;
  try {
    mediaPath = decodeURIComponent(pathname.slice(MEDIA_PREFIX.length));
  } catch {
    return text(400, 'Bad media path');
  }
  const address = request.socket.remoteAddress;
  const file = resolve ? await resolve(mediaPath, address === undefined ? {} : { address }) : null;
  if (!file) return text(404, 'No such media');
  const release = (): void => void file.close().catch(() => undefined);
  const size = file.size;
  const range = parseRange(request.headers.range, size);
  const common = {
    'Content-Type': file.contentType,
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'private, no-cache',
  };
  if (range === 'unsatisfiable') {
    release();
    response.writeHead(416, { ...common, 'Content-Range': `bytes */${size}` });
    return void response.end();
  }
  if (range) {
    response.writeHead(206, {
      ...common,
      'Content-Length': range.end - range.start + 1,
      'Content-Range': `bytes ${range.start}-${range.end}/${size}`,
    });
  } else {
    response.writeHead(200, { ...common, 'Content-Length': size });
  }
  if (request.method === 'HEAD' || size === 0) {
    release();
    return void response.end();
  }
  const stream = file.stream(range?.start ?? 0, range?.end ?? size - 1);
  stream.on('error', () => response.destroy());
  response.on('close', () => {
    stream.destroy();
    release();
  });
  stream.pipe(response);
}
