/**
 * models/ — the model files in native-models/: their manifest (source, licence, size, sha256) and
 * the start-up check that names a missing or altered file.
 */
export { type CheckedModels, checkModels, findModelsDir, ModelsError } from './manifest.js';
