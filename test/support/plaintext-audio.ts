/**
 * Looks through every file under a folder for plaintext audio: a RIFF/WAVE header anywhere in a
 * file, or any of the given pieces of known interleaved PCM (a few hundred bytes each; any one of
 * them found means a recording's audio is stored in the clear). For the encryption-at-rest tests.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface PlaintextFinding {
  path: string;
  what: string;
}

/** Every regular file under `root` (symbolic links not followed). */
export async function allFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const visit = async (path: string): Promise<void> => {
    const info = await lstat(path).catch(() => null);
    if (!info || info.isSymbolicLink()) return;
    if (info.isFile()) out.push(path);
    if (!info.isDirectory()) return;
    for (const name of await readdir(path).catch(() => [])) await visit(join(path, name));
  };
  await visit(root);
  return out;
}

/**
 * Pieces of `pcm` (interleaved 16-bit) to look for: `count` windows of `bytes` bytes spread over it,
 * each loud enough to be audio (not silence, which any file could hold).
 */
export function pcmNeedles(pcm: Buffer, count = 16, bytes = 256): Buffer[] {
  const needles: Buffer[] = [];
  if (pcm.length < bytes) return needles;
  const step = Math.max(4, Math.floor((pcm.length - bytes) / (count * 4)) * 4);
  for (let at = 0; at + bytes <= pcm.length && needles.length < count; at += step) {
    const window = pcm.subarray(at, at + bytes);
    let loud = 0;
    const distinct = new Set<number>();
    for (let i = 0; i + 1 < window.length; i += 2) {
      const v = window.readInt16LE(i);
      if (Math.abs(v) > 300) loud++;
      distinct.add(v);
    }
    if (loud > bytes / 8 && distinct.size > bytes / 8) needles.push(Buffer.from(window));
  }
  return needles;
}

const RIFF = Buffer.from('RIFF', 'latin1');
const WAVE = Buffer.from('WAVE', 'latin1');

/** What plaintext audio is found under `root`: RIFF/WAVE headers and the `needles` of known PCM. */
export async function findPlaintextAudio(
  root: string,
  needles: Buffer[] = [],
): Promise<PlaintextFinding[]> {
  const findings: PlaintextFinding[] = [];
  for (const path of await allFiles(root)) {
    const bytes = await readFile(path).catch(() => null);
    if (!bytes) continue; // removed while we looked
    for (let at = bytes.indexOf(RIFF); at >= 0; at = bytes.indexOf(RIFF, at + 1)) {
      if (bytes.subarray(at + 8, at + 12).equals(WAVE)) {
        findings.push({ path, what: `a RIFF/WAVE header at byte ${at}` });
        break;
      }
    }
    const found = needles.findIndex((needle) => bytes.includes(needle));
    if (found >= 0) findings.push({ path, what: `known call audio (piece ${found})` });
  }
  return findings;
}
