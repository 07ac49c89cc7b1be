/**
 * The files behind one call's recording, for the purge and erasure to delete: the stored path, and
 * anything else in the recordings folder named after the call (`<callId>.wav`, `.wav.tmp`, the
 * `.parts` folder a crash left, or another extension a newer recorder writes). Only paths inside the
 * data folder are ever returned. The folder is listed once per batch, not once per call.
 */
import { readdir } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';

import type { StoredRecordingFile } from '../store/types.js';

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

export class RecordingsListing {
  private constructor(
    private readonly dataDir: string,
    private readonly dir: string,
    /** Each entry's name under every prefix that ends before one of its dots. */
    private readonly byStem: Map<string, string[]>,
  ) {}

  static async read(dataDir: string, recordingsDir: string): Promise<RecordingsListing> {
    let names: string[] = [];
    try {
      names = await readdir(recordingsDir);
    } catch {
      // No recordings folder yet: only the stored paths count.
    }
    const byStem = new Map<string, string[]>();
    for (const name of names) {
      for (let at = name.indexOf('.', 1); at > 0; at = name.indexOf('.', at + 1)) {
        const stem = name.slice(0, at);
        const list = byStem.get(stem);
        if (list) list.push(name);
        else byStem.set(stem, [name]);
      }
    }
    return new RecordingsListing(resolve(dataDir), recordingsDir, byStem);
  }

  /** Every path to delete for this recording. */
  filesOf(file: Pick<StoredRecordingFile, 'callId' | 'path'>): string[] {
    const paths = new Set<string>();
    if (file.path) paths.add(resolve(this.dataDir, file.path));
    for (const name of this.byStem.get(file.callId) ?? []) paths.add(join(this.dir, name));
    return [...paths].filter((p) => inside(this.dataDir, p));
  }
}
