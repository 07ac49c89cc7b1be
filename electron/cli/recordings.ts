/**
 * `outbound recordings key …`: what call recordings are encrypted for (recording/keys.ts).
 *
 *   status               the mode (workspace key, or a public key only) and the key ids held
 *   generate DIR         a new X25519 pair: DIR/recording-public.pem, DIR/recording-private.pem (0600)
 *   use-public FILE      new recordings are encrypted for this public key only: this workspace can
 *                        no longer play them unless the private key is loaded here
 *   use-workspace        new recordings use the workspace key again
 *   load FILE            keep this private key here, sealed by the secret box, so its recordings play
 *   unload ID            forget a loaded private key
 *
 * The CLI seals with the headless key file (secret.key); the desktop app reads what it sealed. A
 * running app or `outbound serve` picks the change up at its next start. Recordings already made
 * keep the key they were made with.
 */
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { Logger } from '../engine/index.js';
import {
  describeRecordingKeys,
  generateRecordingKeyPair,
  loadRecordingPrivateKey,
  RecordingKeyError,
  setRecordingPublicKey,
  unloadRecordingPrivateKey,
} from '../engine/recording/index.js';
import { openKeyFileSecretBox } from '../engine/secrets/index.js';
import type { Output } from './output.js';
import { UsageError } from './usage.js';

export interface RecordingsCommandOptions {
  dataDir: string;
  log: Logger;
}

const NEXT_START = 'It takes effect at the next start of the app or of outbound serve.';

async function readPem(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
}

/** Writes a new file with `mode` (never over an existing one: a key must not be overwritten). */
async function writeNew(path: string, text: string, mode: number): Promise<void> {
  const handle = await open(path, 'wx', mode);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function recordingsCommand(
  args: string[],
  options: RecordingsCommandOptions,
  out: Output,
): Promise<number> {
  const [group, sub, ...rest] = args;
  if (group !== 'key')
    throw new UsageError(
      'recordings takes "key status|generate DIR|use-public FILE|use-workspace|load FILE|unload ID"',
    );
  const one = (what: string): string => {
    const [value, ...extra] = rest;
    if (value === undefined || extra.length > 0)
      throw new UsageError(`recordings key ${sub} takes one ${what}`);
    return value;
  };
  const box = () => openKeyFileSecretBox(options.dataDir, options.log);
  try {
    switch (sub) {
      case 'status': {
        const held = describeRecordingKeys(options.dataDir);
        const mode = held?.mode ?? 'workspace';
        out.record(
          {
            event: 'recording_keys',
            ...(held ?? { mode, workspaceKeys: [], publicKey: null, privateKeys: [] }),
          },
          [
            mode === 'public'
              ? `New recordings are encrypted for public key ${held!.publicKey} only.`
              : 'New recordings are encrypted with the workspace key.',
            `Workspace keys: ${held?.workspaceKeys.join(', ') || 'none yet (made at the first start)'}`,
            `Private keys loaded here: ${held?.privateKeys.join(', ') || 'none'}`,
          ].join('\n'),
        );
        return 0;
      }
      case 'generate': {
        const dir = one('DIR');
        const pair = generateRecordingKeyPair();
        const publicPath = join(dir, 'recording-public.pem');
        const privatePath = join(dir, 'recording-private.pem');
        await writeNew(privatePath, pair.privatePem, 0o600);
        await writeNew(publicPath, pair.publicPem, 0o644);
        out.record(
          {
            event: 'recording_key_generated',
            id: pair.id,
            publicKey: publicPath,
            privateKey: privatePath,
          },
          `Made key ${pair.id}: ${publicPath} (give it to the workspace: recordings key use-public) and ${privatePath} (keep it where recordings are played; anyone with it can play them).`,
        );
        return 0;
      }
      case 'use-public': {
        const id = setRecordingPublicKey(options.dataDir, box(), await readPem(one('FILE')));
        out.record(
          { event: 'recording_key_mode', mode: 'public', publicKey: id },
          `New recordings will be encrypted for public key ${id} only: this workspace cannot play them unless its private key is loaded here. ${NEXT_START}`,
        );
        return 0;
      }
      case 'use-workspace': {
        if (rest.length > 0)
          throw new UsageError('recordings key use-workspace takes no arguments');
        setRecordingPublicKey(options.dataDir, box(), null);
        out.record(
          { event: 'recording_key_mode', mode: 'workspace' },
          `New recordings will be encrypted with the workspace key. ${NEXT_START}`,
        );
        return 0;
      }
      case 'load': {
        const id = loadRecordingPrivateKey(options.dataDir, box(), await readPem(one('FILE')));
        out.record(
          { event: 'recording_key_loaded', id },
          `Private key ${id} is kept here (sealed); recordings encrypted for it play here. ${NEXT_START}`,
        );
        return 0;
      }
      case 'unload': {
        const id = one('ID');
        if (!unloadRecordingPrivateKey(options.dataDir, box(), id)) {
          out.error('NOT_FOUND', `No private key ${id} is loaded here`);
          return 1;
        }
        out.record(
          { event: 'recording_key_unloaded', id },
          `Private key ${id} is no longer kept here. ${NEXT_START}`,
        );
        return 0;
      }
      default:
        throw new UsageError(
          `unknown "recordings key ${sub ?? ''}": use status, generate, use-public, use-workspace, load or unload`,
        );
    }
  } catch (error) {
    if (error instanceof RecordingKeyError) {
      out.error(error.code, error.message);
      return error.code === 'KEYS_INVALID' ? 2 : 1;
    }
    throw error;
  }
}
