/**
 * Plaintext recordings from before encryption at rest: at start, every finished `<callId>.wav` in
 * the recordings folder that is still a plain WAV is encrypted in place — written encrypted under
 * a temporary name, fsynced, renamed over the original — so the database's paths stay as they are
 * and no plaintext copy remains as a file. (The old blocks are freed, not overwritten: on an SSD
 * or a journalling file system nothing in user space can promise that; full-disk encryption does.)
 * Leftover plaintext `.parts` are encrypted by recovery (finalize.ts). Runs once in effect: an
 * encrypted file is recognised by its magic and skipped. History's label clips (flows/labels.ts)
 * get the same treatment in their own folder (encryptPlainLabelClips).
 */
import type { Dirent } from 'node:fs';
import { open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

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
  for (const name of names.filter((n) => n.endsWith('.wav')).sort())
    await encryptInPlace(recordingsDir, name, keys, [2], report);
  return report;
}

/**
 * Encrypts the plaintext label clips an older version wrote under `labelledDir` (the
 * phrase-recordings folder's `labelled/`, any depth: `<flow>/<node>/<intent>/<call>-<start>.wav`),
 * in place like the recordings. Only that folder: clips an admin put into phrase-recordings/ by
 * hand stay as they are. Never throws for one file.
 */
export async function encryptPlainLabelClips(
  labelledDir: string,
  keys: RecordingKeys,
): Promise<MigrationReport> {
  const report: MigrationReport = { encrypted: [], failed: [] };
  let entries: Dirent[];
  try {
    entries = await readdir(labelledDir, { recursive: true, withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return report;
    throw error;
  }
  const files = entries
    .filter((e) => e.isFile() && e.name.endsWith('.wav'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
  for (const path of files)
    await encryptInPlace(dirname(path), basename(path), keys, [1, 2], report);
  return report;
}

/** Encrypts `dir/name` in place when it is a plaintext 16-bit PCM WAV of `channels`; reports. */
async function encryptInPlace(
  dir: string,
  name: string,
  keys: RecordingKeys,
  channels: ReadonlyArray<1 | 2>,
  report: MigrationReport,
): Promise<void> {
  const path = join(dir, name);
  const temp = `${path}.encrypting`;
  try {
    const file = await open(path, 'r');
    try {
      const info = await file.stat();
      if (!info.isFile()) return;
      const head = Buffer.alloc(Math.min(64 * 1024, info.size));
      await file.read(head, 0, head.length, 0);
      if (isContainer(head)) return;
      const layout = parseWavHeader(head, info.size);
      const count = layout.channels;
      if (
        layout.formatTag !== 1 ||
        layout.bitsPerSample !== 16 ||
        (count !== 1 && count !== 2) ||
        !channels.includes(count)
      )
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
        count,
      );
    } finally {
      await file.close();
    }
    await rename(temp, path);
    await syncDir(dir);
    report.encrypted.push(path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    report.failed.push({
      path,
      error: error instanceof WavError ? error.message : describeFsError(error),
    });
  }
}
