/**
 * The API's imports.* and contacts.lists commands: uploads in chunks to a temporary file under
 * <data>/imports, a preview, and the import itself (importContactsFromFile: read whole, then
 * stored in short transactions) run in the background with `import.progress` / `import.finished`
 * events, because a 50 MB file takes longer than a request may wait. Every rejected row is also written to a CSV file beside the
 * upload, which `imports.rejects` pages through for download. That file is complete before any
 * row is stored: if it cannot be written (a full disk), the import fails with nothing stored.
 *
 * Temporary files go when an import is cancelled, when the upload's import is done (the rejects
 * file stays until cancel, an hour without use, or the next start), and at every engine start.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';

import type { CommandHandlers } from '../api/dispatcher.js';
import { ApiError } from '../api/errors.js';
import {
  IMPORT_CHUNK_BYTES,
  IMPORT_RESULT_REJECTED_ROWS,
  type ImportProgressData,
  type ImportStatus,
  REJECTS_PAGE_BYTES,
} from '../api/imports.js';
import { type Actor, requestActor, writeAudit } from '../audit/index.js';
import { csvSafeCell } from '../csv-safe.js';
import type { EventHub } from '../events/index.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/types.js';
import { importContactsFromFile, ImportError, type RejectedRow } from './import.js';
import { targetOf } from './mapping.js';
import { isKnownRegion } from './phone.js';
import { previewContactFile } from './preview.js';

type Handled =
  | 'imports.begin'
  | 'imports.chunk'
  | 'imports.preview'
  | 'imports.commit'
  | 'imports.status'
  | 'imports.rejects'
  | 'imports.cancel'
  | 'contacts.lists';

/** An upload nobody touched for this long is dropped with its files. */
const IDLE_EXPIRY_MS = 60 * 60_000;
/** At most this many uploads at once (a forgotten tab must not fill the disk). */
const MAX_OPEN_IMPORTS = 20;
const PROGRESS_INTERVAL_MS = 200;

interface Session {
  id: string;
  fileName: string;
  bytes: number;
  received: number;
  state: ImportStatus['state'];
  progress: ImportProgressData | null;
  result: ImportStatus['result'];
  error: ImportStatus['error'];
  /** Headers seen by the preview (the mapping must name these). */
  headers: string[] | null;
  /** Serializes chunk writes of one upload. */
  writing: Promise<void>;
  touchedAt: number;
}

export interface ImportCommandDeps {
  store: Store;
  dataDir: string;
  events: EventHub;
  actor: Actor;
  log: Logger;
}

export function importCommandHandlers(deps: ImportCommandDeps): Pick<CommandHandlers, Handled> {
  const { store, events, actor, log } = deps;
  const dir = join(deps.dataDir, 'imports');
  const sessions = new Map<string, Session>();
  // Files left by an earlier run (the engine stopped mid-upload) belong to nobody now.
  const ready = rm(dir, { recursive: true, force: true })
    .then(() => mkdir(dir, { recursive: true, mode: 0o700 }))
    .catch((error: unknown) =>
      log.error('Cleaning the import folder failed', { dir, error: String(error) }),
    );

  const uploadPath = (id: string) => join(dir, `${id}.upload`);
  const rejectsPath = (id: string) => join(dir, `${id}.rejects.csv`);

  const status = (s: Session): ImportStatus => ({
    id: s.id,
    fileName: s.fileName,
    bytes: s.bytes,
    received: s.received,
    state: s.state,
    progress: s.progress,
    result: s.result,
    error: s.error,
  });

  function session(id: string): Session {
    const s = sessions.get(id);
    if (!s)
      throw new ApiError(
        'NOT_FOUND',
        `No import with id "${id}" (it was cancelled, expired after an hour unused, or the engine restarted); upload the file again`,
        'id',
      );
    s.touchedAt = Date.now();
    return s;
  }

  async function drop(s: Session): Promise<void> {
    sessions.delete(s.id);
    await Promise.all([
      rm(uploadPath(s.id), { force: true }),
      rm(rejectsPath(s.id), { force: true }),
    ]);
  }

  async function expire(): Promise<void> {
    const now = Date.now();
    for (const s of [...sessions.values()])
      if (s.state !== 'importing' && now - s.touchedAt > IDLE_EXPIRY_MS) await drop(s);
  }

  /** Import messages name the temporary file; the user knows the file by its own name. */
  const named = (s: Session, message: string) => message.split(uploadPath(s.id)).join(s.fileName);

  function requireUploaded(s: Session): void {
    if (s.state === 'uploading')
      throw new ApiError(
        'CONFLICT',
        `The upload of ${s.fileName} is not complete: ${s.received} of ${s.bytes} bytes received`,
      );
    if (s.state !== 'uploaded')
      throw new ApiError(
        'CONFLICT',
        `The import of ${s.fileName} has already ${s.state === 'importing' ? 'started' : 'run'}; upload the file again to import it again`,
      );
  }

  async function run(
    s: Session,
    listName: string,
    map: Map<string, string>,
    region: string,
    by: Actor,
  ): Promise<void> {
    const rejects: WriteStream = createWriteStream(rejectsPath(s.id), { mode: 0o600 });
    // A write error (ENOSPC, EIO) arrives as an event; unheard, it would stop the engine.
    let rejectsError: Error | null = null;
    rejects.on('error', (error) => (rejectsError ??= error));
    const rejectsFailed = () =>
      new ImportError(
        `The rejected rows of ${s.fileName} could not be written to ${rejectsPath(s.id)} (${rejectsError?.message}): free disk space on the engine's machine and import the file again. Nothing was imported.`,
        'REJECTS_UNWRITABLE',
        { cause: rejectsError },
      );
    /** Flushes and closes the rejected-rows file; rejects when any of it could not be written. */
    const closeRejects = async () => {
      if (!rejects.writableEnded && !rejects.destroyed) rejects.end();
      await finished(rejects).catch(() => {});
      if (rejectsError) throw rejectsFailed();
    };
    rejects.write('row,reason,raw\n');
    let lastEmit = 0;
    const emit = (progress: ImportProgressData, force = false) => {
      s.progress = progress;
      const now = Date.now();
      if (force || now - lastEmit >= PROGRESS_INTERVAL_MS) {
        lastEmit = now;
        events.emit('import.progress', progress);
      }
    };
    try {
      const result = await importContactsFromFile(store, {
        file: uploadPath(s.id),
        listName,
        region,
        map,
        actor: by,
        maxRejectedKept: IMPORT_RESULT_REJECTED_ROWS,
        beforeStore: closeRejects,
        // Stops the read (nothing stored) at the first row after the file failed.
        onRejected: (row: RejectedRow) => {
          if (rejectsError) throw rejectsFailed();
          rejects.write(`${row.row},${csvCell(named(s, row.reason))},${csvCell(row.raw)}\n`);
        },
        onProgress: (p) =>
          emit({
            id: s.id,
            rowsRead: p.rowsRead,
            bytesRead: p.bytesRead,
            totalBytes: p.totalBytes,
            accepted: p.inserted + p.merged,
            inserted: p.inserted,
            merged: p.merged,
            rejected: p.rejected,
          }),
      });
      emit(
        {
          id: s.id,
          rowsRead: result.rows,
          bytesRead: result.bytes,
          totalBytes: result.bytes,
          accepted: result.accepted,
          inserted: result.inserted,
          merged: result.merged,
          rejected: result.rejectedCount,
        },
        true,
      );
      s.result = {
        listName: result.listName,
        listCreated: result.listCreated,
        region: result.region,
        rows: result.rows,
        accepted: result.accepted,
        inserted: result.inserted,
        merged: result.merged,
        rejectedCount: result.rejectedCount,
        rejected: result.rejected.map((r) => ({ ...r, reason: named(s, r.reason) })),
        durationMs: result.durationMs,
      };
      s.state = 'done';
    } catch (error) {
      const code = error instanceof ImportError ? error.code : 'FAILED';
      const message = error instanceof Error ? error.message : String(error);
      // A file's own problems are the user's to fix; the disk's and the store's are the operator's.
      if (!(error instanceof ImportError) || code === 'REJECTS_UNWRITABLE' || code === 'PARTIAL')
        log.error('A contact import failed', {
          id: s.id,
          error: error instanceof Error ? error.stack : message,
        });
      s.error = {
        code,
        // PARTIAL says itself how many rows were stored.
        message: `${named(s, message)}${code === 'PARTIAL' || /nothing was imported/i.test(message) ? '' : ' Nothing was imported.'}`,
      };
      s.state = 'failed';
    } finally {
      await closeRejects().catch(() => {
        // Already reported as the import's error, or the import failed for another reason first.
      });
      await rm(uploadPath(s.id), { force: true });
      s.touchedAt = Date.now();
    }
    events.emit('import.finished', status(s));
  }

  return {
    'contacts.lists': async () => {
      const lists = await store.contacts.lists();
      const counts = await Promise.all(lists.map((l) => store.contacts.countContacts(l.id)));
      return {
        lists: lists.map((l, i) => ({
          id: l.id,
          name: l.name,
          description: l.description,
          defaultRegion: l.defaultRegion,
          contacts: counts[i] ?? 0,
          createdAt: l.createdAt,
        })),
      };
    },

    'imports.begin': async ({ fileName, bytes }) => {
      await ready;
      await expire();
      if (sessions.size >= MAX_OPEN_IMPORTS)
        throw new ApiError(
          'CONFLICT',
          `${MAX_OPEN_IMPORTS} imports are open already; finish or cancel one first`,
        );
      const id = randomUUID();
      await writeFile(uploadPath(id), new Uint8Array(0), { mode: 0o600 });
      sessions.set(id, {
        id,
        fileName,
        bytes,
        received: 0,
        state: bytes === 0 ? 'uploaded' : 'uploading',
        progress: null,
        result: null,
        error: null,
        headers: null,
        writing: Promise.resolve(),
        touchedAt: Date.now(),
      });
      return { id, chunkBytes: IMPORT_CHUNK_BYTES };
    },

    'imports.chunk': ({ id, offset, data }) => {
      const s = session(id);
      const work = s.writing.then(async () => {
        if (s.state !== 'uploading')
          throw new ApiError('CONFLICT', `The upload of ${s.fileName} is already complete`);
        if (offset !== s.received)
          throw new ApiError(
            'CONFLICT',
            `offset: expected ${s.received} (the bytes received so far), got ${offset}`,
            'offset',
            { expectedOffset: s.received },
          );
        const bytes = Buffer.from(data, 'base64');
        if (bytes.length > IMPORT_CHUNK_BYTES)
          throw new ApiError(
            'INVALID_PARAMS',
            `data: ${bytes.length} bytes is more than one chunk (${IMPORT_CHUNK_BYTES})`,
            'data',
          );
        if (s.received + bytes.length > s.bytes)
          throw new ApiError(
            'INVALID_PARAMS',
            `data: the file was announced as ${s.bytes} bytes; this chunk goes past its end`,
            'data',
          );
        const handle = await open(uploadPath(id), 'a');
        try {
          await handle.write(bytes);
        } finally {
          await handle.close();
        }
        s.received += bytes.length;
        if (s.received === s.bytes) s.state = 'uploaded';
        return { received: s.received, complete: s.state === 'uploaded' };
      });
      s.writing = work.then(
        () => undefined,
        () => undefined,
      );
      return work;
    },

    'imports.preview': async ({ id }) => {
      const s = session(id);
      requireUploaded(s);
      try {
        const preview = await previewContactFile(uploadPath(id), s.fileName);
        s.headers = preview.columns.map((c) => c.header);
        return { id, fileName: s.fileName, bytes: s.bytes, ...preview };
      } catch (error) {
        if (!(error instanceof ImportError)) throw error;
        throw new ApiError('INVALID_PARAMS', named(s, error.message), 'file', {
          importCode: error.code,
        });
      }
    },

    'imports.commit': async ({ id, list, createList, mapping, defaultRegion }, context) => {
      const s = session(id);
      requireUploaded(s);
      if (!s.headers)
        throw new ApiError(
          'CONFLICT',
          `Preview ${s.fileName} first: the mapping names its columns`,
        );
      if (!isKnownRegion(defaultRegion))
        throw new ApiError(
          'INVALID_PARAMS',
          `defaultRegion: "${defaultRegion}" is not a known region code (two letters, e.g. CN, US, GB)`,
          'defaultRegion',
        );
      const existing = await store.contacts.getListByName(list);
      if (createList && existing)
        throw new ApiError(
          'CONFLICT',
          `list: a list named "${list}" exists already; choose it as an existing list or pick another name`,
          'list',
        );
      if (!createList && !existing)
        throw new ApiError('NOT_FOUND', `list: no contact list named "${list}"`, 'list');
      const map = new Map<string, string>();
      let phones = 0;
      mapping.forEach(({ header, field }, i) => {
        if (!s.headers!.includes(header.trim()))
          throw new ApiError(
            'INVALID_PARAMS',
            `mapping.${i}.header: the file has no column "${header}"`,
            `mapping.${i}.header`,
          );
        if (map.has(header.trim()))
          throw new ApiError(
            'INVALID_PARAMS',
            `mapping.${i}.header: column "${header}" is mapped twice`,
            `mapping.${i}.header`,
          );
        let target;
        try {
          target = targetOf(field);
        } catch (error) {
          throw new ApiError(
            'INVALID_PARAMS',
            `mapping.${i}.field: ${(error as Error).message}`,
            `mapping.${i}.field`,
          );
        }
        if (target.kind === 'phone') phones++;
        map.set(header.trim(), field.trim());
      });
      if (phones !== 1) {
        throw new ApiError(
          'INVALID_PARAMS',
          phones === 0
            ? 'mapping: no column is mapped to the phone number; choose the column that holds the numbers'
            : 'mapping: only one column can be the phone number',
          'mapping',
        );
      }
      const unmapped = s.headers.filter((h) => !map.has(h));
      if (unmapped.length > 0)
        throw new ApiError(
          'INVALID_PARAMS',
          `mapping: columns ${unmapped.map((h) => `"${h}"`).join(', ')} are not mapped (map a column to "-" to ignore it)`,
          'mapping',
        );
      s.state = 'importing';
      s.progress = {
        id,
        rowsRead: 0,
        bytesRead: 0,
        totalBytes: s.bytes,
        accepted: 0,
        inserted: 0,
        merged: 0,
        rejected: 0,
      };
      void run(s, list, map, defaultRegion, requestActor(context, actor)).catch((error: unknown) =>
        log.error('A contact import failed while finishing', {
          id: s.id,
          error: error instanceof Error ? error.stack : String(error),
        }),
      );
      return status(s);
    },

    'imports.status': ({ id }) => status(session(id)),

    'imports.rejects': async ({ id, offset }, context) => {
      const s = session(id);
      if (s.state !== 'done' && s.state !== 'failed')
        throw new ApiError(
          'CONFLICT',
          `The import of ${s.fileName} has not finished; its rejected rows are known when it has`,
        );
      const path = rejectsPath(id);
      const size = (await stat(path).catch(() => null))?.size ?? 0;
      if (offset >= size) return { text: '', nextOffset: null, totalBytes: size };
      const handle = await open(path, 'r');
      try {
        const buffer = Buffer.alloc(Math.min(REJECTS_PAGE_BYTES, size - offset));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
        let end = bytesRead;
        // Pages end after a newline (ASCII), so no UTF-8 character is ever split between pages.
        if (offset + bytesRead < size) {
          const newline = buffer.subarray(0, bytesRead).lastIndexOf(0x0a);
          if (newline >= 0) end = newline + 1;
        }
        const next = offset + end;
        // Rejected rows are contact data leaving the engine: an export, audited page by page.
        await writeAudit(store, requestActor(context, actor), {
          action: 'imports.rejects',
          subject: s.fileName,
          details: { importId: id, offset, bytes: end, totalBytes: size },
        });
        return {
          text: buffer.subarray(0, end).toString('utf8'),
          nextOffset: next < size ? next : null,
          totalBytes: size,
        };
      } finally {
        await handle.close();
      }
    },

    'imports.cancel': async ({ id }) => {
      const s = sessions.get(id);
      if (!s) return { cancelled: false };
      if (s.state === 'importing')
        throw new ApiError(
          'CONFLICT',
          `The import of ${s.fileName} is running and cannot be stopped halfway; cancel it when it has finished`,
        );
      await s.writing;
      await drop(s);
      return { cancelled: true };
    },
  };
}

/**
 * A CSV cell (RFC 4180): guarded against CSV injection (a row's raw text is whatever the imported
 * file held), then quoted when it holds a comma, quote or line break.
 */
export function csvCell(text: string): string {
  const safe = csvSafeCell(text);
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
