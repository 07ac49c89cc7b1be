/**
 * Schema 9: answering-machine detection (issue 14 §3).
 *
 * - campaigns gain `amd`: the campaign's AMD settings (on or off, what a machine gets: hang up,
 *   a message after the beep, or go on as with a person), JSON checked by the API's
 *   AmdSettingsSchema; '{}' is off. The decision itself is stored on each call as its `amd` event
 *   (result, reason, time from the answer) and, when the call ended for it, the outcome `machine`.
 */
export const amdSettings = {
  version: 9,
  name: 'answering-machine detection settings',
  up: `
ALTER TABLE campaigns ADD COLUMN amd TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(amd) AND json_type(amd) = 'object');
`,
};
