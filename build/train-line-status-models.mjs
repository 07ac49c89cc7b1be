#!/usr/bin/env node
/**
 * Builds the line-status announcement models (npm run build:line-status): per language one phrase
 * model over the operator announcements of electron/engine/speech/recognizers/phrase/line-status.ts
 * (empty number, powered off, suspended, busy, unreachable, barred), trained by the phrase
 * trainer (espeak-ng WASM voices, and flite's for English) on this repository's data only, written
 * to native-models/line-status/announcements.<language>.json (weights rounded, with the hash of the
 * data it was built from) and listed with its size and sha256 in native-models/manifest.json.
 * Never trained on the voices bench/early-media.bench.ts evaluates with (Festival, eSpeak 1.48,
 * the espeak-ng CLI's Klatt variant, the Asterisk recording).
 *
 *   node --import tsx build/train-line-status-models.mjs            # every language
 *   node --import tsx build/train-line-status-models.mjs --lang en  # one
 *   node --import tsx build/train-line-status-models.mjs --check    # exit 1 if a model is stale
 *
 * Synthesized clips are kept in node_modules/.cache/outbound-line-status/clips.
 */
import {
  ANNOUNCEMENT_CARRIERS,
  ANNOUNCEMENT_NEGATIVES,
  LINE_STATUS_FORMAT,
  LINE_STATUS_LANGUAGES,
  LINE_STATUS_TRAINING,
  lineStatusDataHash,
  lineStatusFileName,
  lineStatusQuestion,
  lineStatusStale,
  readLineStatusModel,
} from '../electron/engine/speech/recognizers/phrase/line-status.ts';
import { DEFAULT_NEGATIVES } from '../electron/engine/speech/recognizers/phrase/negatives.ts';
import { buildPhraseModels } from './phrase-model-build.mjs';

await buildPhraseModels({
  folder: 'line-status',
  command: 'npm run build:line-status',
  cacheName: 'outbound-line-status',
  languages: LINE_STATUS_LANGUAGES,
  dirtyPaths: ['electron/engine/speech/recognizers/phrase'],
  format: LINE_STATUS_FORMAT,
  fileName: lineStatusFileName,
  dataHash: lineStatusDataHash,
  read: readLineStatusModel,
  stale: lineStatusStale,
  question: lineStatusQuestion,
  summary: (language, statuses) =>
    `${language}: ${lineStatusQuestion(language).phrases.length} phrasings of ${statuses} statuses`,
  trainOptions: (language) => ({
    negatives: [...ANNOUNCEMENT_NEGATIVES[language], ...DEFAULT_NEGATIVES[language]],
    carriers: ANNOUNCEMENT_CARRIERS[language],
    ...LINE_STATUS_TRAINING[language],
  }),
  entry: (language, name, statuses, phrasings) => ({
    role: `line-status-${language}`,
    description: `Operator announcements heard in early media for ${language} (${statuses} line statuses, ${phrasings} phrasings as classes summed per status, plus garbage), over the openWakeWord speech embedding; trained from synthetic speech (espeak-ng${language === 'en' ? ' and flite' : ''} voices) by this repository's script, never on the evaluation's voices`,
    source: {
      built: 'npm run build:line-status',
      from: [
        'electron/engine/speech/recognizers/phrase/line-status.ts',
        'build/train-line-status-models.mjs',
      ],
    },
  }),
});
