/**
 * Schema 3: what a campaign needs beyond schema 1's columns to dial.
 *
 * - campaigns gain the power-mode ratio (lines per available agent) and the queue their answered
 *   calls go to in progressive and power mode (the API's CampaignConfig.linesPerAgent / queue).
 * - campaign_contacts gain a "due" index that covers the dialer's pass (pending rows of one
 *   campaign by next_at), so a pass over a 1,000,000-contact campaign reads only the rows it judges.
 */
export const campaignDialing = {
  version: 3,
  name: 'campaign dialing: lines per agent, queue',
  up: `
ALTER TABLE campaigns ADD COLUMN lines_per_agent REAL NOT NULL DEFAULT 2 CHECK (lines_per_agent >= 1 AND lines_per_agent <= 5);
ALTER TABLE campaigns ADD COLUMN queue TEXT NOT NULL DEFAULT 'default' CHECK (length(queue) > 0);
CREATE INDEX campaign_contacts_pending ON campaign_contacts (campaign_id, next_at, contact_id) WHERE status = 'pending';
`,
};
