/**
 * models/ — the model files in native-models/: their manifest (source, licence, size, sha256) and
 * the start-up check that names a missing or altered file.
 */
export { checkModels, findModelsDir, ModelsError, ModelManifestSchema, type CheckedModels, type ModelFile, type ModelManifest, type ModelsErrorCode } from './manifest.js';
