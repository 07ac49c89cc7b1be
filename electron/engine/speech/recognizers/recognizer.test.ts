import { describe, expect, it } from 'vitest';

import {
  createRecognizer,
  RecognizerError,
  type RecognizerId,
  recognizerIds,
  registerRecognizer,
} from './index.js';

describe('recognizer registry', () => {
  it('has phrase registered and refuses duplicates and unknown ids', async () => {
    expect(recognizerIds()).toContain('phrase');
    expect(() =>
      registerRecognizer('phrase', () => {
        throw new Error('unused');
      }),
    ).toThrow(RecognizerError);
    // 'sherpa' is not registered yet: the seam exists, the implementation is a later issue.
    await expect(createRecognizer('sherpa' as RecognizerId, undefined as never)).rejects.toThrow(
      /no recognizer "sherpa"/,
    );
  });
});
