/** Test helper: where the Silero model lives in the repository. */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const VAD_MODEL_PATH = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../../native-models/vad/silero_vad.onnx',
);
