/** settings/ — reads and writes the admin's settings (schema and defaults live in api/contract.ts). */
export { SettingsService } from './settings-service.js';
