/**
 * Schema 11: consent records and campaigns that require them (issue 15 §5).
 *
 * - contacts gain `consent_source` (where the person agreed to be called: a web form, a recorded
 *   call, a signed paper; free text) and `consent_at` (when, epoch ms). A contact has consent when
 *   `consent_at` is set; the import refuses a source without a time. Both NULL for every contact
 *   stored before (no consent on record).
 * - campaigns gain `require_consent` (0/1): the dialer skips the campaign's contacts without a
 *   consent record, and "why not called now" says so (reason `no_consent`).
 */
export const consentRecords = {
  version: 11,
  name: 'consent records and campaigns that require them',
  up: `
ALTER TABLE contacts ADD COLUMN consent_source TEXT CHECK (consent_source IS NULL OR length(consent_source) BETWEEN 1 AND 200);
ALTER TABLE contacts ADD COLUMN consent_at INTEGER CHECK (consent_at IS NULL OR consent_at >= 0);
ALTER TABLE campaigns ADD COLUMN require_consent INTEGER NOT NULL DEFAULT 0 CHECK (require_consent IN (0, 1));
`,
};
