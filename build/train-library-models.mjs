#!/usr/bin/env node
/**
 * Builds the common-answer library's speech models (npm run build:library): per language, one
 * phrase model over every common answer of electron/engine/nlu/library, trained by the phrase
 * trainer (espeak-ng voices, and flite's for English) on this repository's data only, written to
 * native-models/library/common-answers.<language>.json (weights rounded, with the hash of the
 * data it was built from) and listed with its size and sha256 in native-models/manifest.json.
 * Re-run it whenever the library's data or the trainer changes, then commit the files together.
 *
 *   node --import tsx build/train-library-models.mjs            # every language
 *   node --import tsx build/train-library-models.mjs --lang en  # one
 *   node --import tsx build/train-library-models.mjs --check    # exit 1 if a model is stale
 *
 * Synthesized clips are kept in node_modules/.cache/outbound-library/clips, so a rebuild after a
 * small data change only synthesizes the new phrasings.
 */
import {
  LIBRARY_FORMAT,
  LIBRARY_LANGUAGES,
  LIBRARY_TRAINING,
  libraryDataHash,
  libraryFileName,
  libraryNegatives,
  libraryQuestion,
  libraryStale,
  readLibraryModel,
} from '../electron/engine/speech/recognizers/phrase/library.ts';
import { buildPhraseModels } from './phrase-model-build.mjs';

await buildPhraseModels({
  folder: 'library',
  command: 'npm run build:library',
  cacheName: 'outbound-library',
  languages: LIBRARY_LANGUAGES,
  dirtyPaths: ['electron/engine/nlu/library', 'electron/engine/speech/recognizers/phrase'],
  format: LIBRARY_FORMAT,
  fileName: libraryFileName,
  dataHash: libraryDataHash,
  read: readLibraryModel,
  stale: libraryStale,
  question: libraryQuestion,
  summary: (language, answers) =>
    `${language}: ${libraryQuestion(language).phrases.length} phrasings of ${answers} answers, ${libraryNegatives(language).length} off-topic sentences`,
  trainOptions: (language) => ({
    negatives: libraryNegatives(language),
    ...LIBRARY_TRAINING[language],
  }),
  entry: (language, name, answers, phrasings) => ({
    role: `common-answers-${language}`,
    description: `The common-answer library's phrase model for ${language} (${answers} answers, ${phrasings} phrasings as classes summed per answer, plus garbage), over the openWakeWord speech embedding; trained from synthetic speech (espeak-ng${language === 'en' ? ' and flite' : ''} voices) by this repository's script, never on the held-out evaluation sets`,
    source: {
      built: 'npm run build:library',
      from: [
        `electron/engine/nlu/library/answers.${language}.json`,
        `electron/engine/nlu/library/offtopic.${language}.json`,
        'build/train-library-models.mjs',
      ],
    },
  }),
});
