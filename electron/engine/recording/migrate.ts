/**
 * Plaintext recordings from before encryption at rest: at start, every finished `<callId>.wav` in
 * the recordings folder that is still a plain WAV is encrypted in place — written encrypted under
 * a temporary name, fsynced, renamed over the original — so the database's paths stay as they are
 * and no plaintext copy remains as a file. (The old blocks are freed, not overwritten: on an SSD
 * or a journalling file system nothing in user space can promise that; full-disk encryption does.)
 * Leftover plaintext `.parts` are encrypted by recovery (finalize.ts). Runs once in effect: an
 * encrypted file is recognised by its magic and skipped.
 */
import { open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { describeFsError, parseWavHeader, WavError } from '../audio/wav.js';
import { isContainer } from './container.js';
import { encryptPcm, syncDir } from './finalize.js';
import type { RecordingKeys } from './keys.js';

export interface MigrationReport {
  /** Files encrypted in place. */
  encrypted: string[];
  /** Plain files that could not be encrypted (left as they were), and why. */
  failed: Array<{ path: string; error: string }>;
}

/** Encrypts the plaintext WAV recordings directly under `recordingsDir`. Never throws for one file. */
export async function encryptPlainRecordings(
  recordingsDir: string,
  keys: RecordingKeys,
): Promise<MigrationReport> {
  const report: MigrationReport = { encrypted: [], failed: [] };
  let names: string[];
  try {
    names = await readdir(recordingsDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return report;
    throw error;
  }
  for (const name of names.filter((n) => n.endsWith('.wav')).sort()) {
    const path = join(recordingsDir, name);
    const temp = `${path}.encrypting`;
    try {
      const file = await open(path, 'r');
      try {
        const info = await file.stat();
        if (!info.isFile()) continue;
        const head = Buffer.alloc(Math.min(64 * 1024, info.size));
        await file.read(head, 0, head.length, 0);
        if (isContainer(head)) continue;
        const layout = parseWavHeader(head, info.size);
        if (layout.formatTag !== 1 || layout.bitsPerSample !== 16 || layout.channels !== 2)
          throw new WavError(
            'UNSUPPORTED_FORMAT',
            `it is ${layout.bitsPerSample}-bit ${layout.formatName} with ${layout.channels} channel(s), not a recording this app made`,
          );
        await encryptPcm(
          temp,
          keys,
          layout.sampleRate,
          { callId: name.slice(0, -'.wav'.length), startedAt: null },
          layout.dataBytes,
          async (position, buffer, length) =>
            (await file.read(buffer, 0, length, layout.dataOffset + position)).bytesRead,
        );
      } finally {
        await file.close();
      }
      await rename(temp, path);
      await syncDir(recordingsDir);
      report.encrypted.push(path);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      report.failed.push({
        path,
        error: error instanceof WavError ? error.message : describeFsError(error),
      });
    }
  }
  return report;
}
