/** Test helpers: recording keys held in memory, and reading encrypted segments as the recorder left them. */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';

import { openChunk, parseHeader, RECORD_OVERHEAD, scanRecords } from '../container.js';
import { type RecordingKeys, recordingKeysFrom } from '../keys.js';

/** A workspace-mode keyring with one random key (shared by a test file's recorders). */
export function testKeys(): RecordingKeys {
  return recordingKeysFrom({ workspaceKeys: [randomBytes(32)] });
}

/** A segment file's parts: header length, each chunk's plaintext, and whether it ends in a final chunk. */
export async function readSegment(
  path: string,
  keys: RecordingKeys,
  firstIndex = 0,
): Promise<{
  headerBytes: number;
  chunks: Buffer[];
  pcm: Buffer;
  endsFinal: boolean;
  size: number;
}> {
  const bytes = await readFile(path);
  const header = parseHeader(bytes);
  const key = keys.unwrap(header);
  const scan = scanRecords(bytes, header.bytes.length, header.maxChunkBytes);
  const chunks: Buffer[] = [];
  let endsFinal = false;
  scan.records.forEach(({ offset, length }, i) => {
    const record = bytes.subarray(offset, offset + RECORD_OVERHEAD + length);
    const last = i === scan.records.length - 1;
    if (last && length === 0) {
      openChunk(key, header, firstIndex + i, true, record); // throws unless a valid final chunk
      endsFinal = true;
      return;
    }
    chunks.push(openChunk(key, header, firstIndex + i, false, record));
  });
  return {
    headerBytes: header.bytes.length,
    chunks,
    pcm: Buffer.concat(chunks),
    endsFinal,
    size: bytes.length,
  };
}
