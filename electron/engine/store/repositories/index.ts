/** Every repository, bound to one executor: the Database, or one open transaction. */
import { createChangeNotifier } from '../change-feed.js';
import type { Repositories } from '../types.js';
import { createAuditRepository } from './audit.js';
import { createAuthRepository } from './auth.js';
import { createCallRepository } from './calls.js';
import { createCampaignContactRepository } from './campaign-contacts.js';
import { createCampaignRepository } from './campaigns.js';
import { createContactRepository } from './contacts.js';
import type { RepositoryContext } from './context.js';
import { createDispositionRepository } from './dispositions.js';
import { createDncRepository } from './dnc.js';
import { createFlowRepository } from './flows.js';
import { createKpiRepository } from './kpi.js';
import { createLabelRepository } from './labels.js';
import { createPrivacyRepository } from './privacy.js';
import { createRoutingRepository } from './routing.js';
import { createSeatCommandRepository } from './seat-commands.js';
import { createSeatRepository } from './seats.js';
import { createSettingsRepository } from './settings.js';
import { createTrunkRepository } from './trunks.js';
import { createUserRepository } from './users.js';

export type { RepositoryContext } from './context.js';

export function createRepositories(context: RepositoryContext): Repositories {
  return {
    settings: createSettingsRepository(context),
    contacts: createContactRepository(context),
    campaigns: createCampaignRepository(context),
    flows: createFlowRepository(context),
    trunks: createTrunkRepository(context),
    calls: createCallRepository(context),
    users: createUserRepository(context),
    dispositions: createDispositionRepository(context),
    dnc: createDncRepository(context),
    audit: createAuditRepository(context),
    routing: createRoutingRepository(context),
    campaignContacts: createCampaignContactRepository(context),
    labels: createLabelRepository(context),
    kpi: createKpiRepository(context),
    auth: createAuthRepository(context),
    privacy: createPrivacyRepository(context),
    seats: createSeatRepository(context),
    seatCommands: createSeatCommandRepository(context),
    changes: createChangeNotifier(context.db),
  };
}
