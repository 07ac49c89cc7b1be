/**
 * retention/ — retention and erasure of personal data (issue 15 §4, PIPL): the daily and on-demand
 * purge of what is past each kind's retention period (purge.ts), erasure of one person by number
 * with the DNC entry kept as a keyed hash (erase.ts, dnc-key.ts), the access export of one
 * person's data as a zip (export.ts, recording-source.ts), the `privacy.*` commands (commands.ts),
 * and the service that runs them one at a time (service.ts). The SQL is the store's
 * (store/repositories/privacy.ts). docs/PRIVACY.md is the admin's guide to all of it.
 */
export { privacyCommandHandlers } from './commands.js';
export { keyStoreDnc } from './dnc-key.js';
export { recordingSource } from './recording-source.js';
export { RetentionService } from './service.js';
