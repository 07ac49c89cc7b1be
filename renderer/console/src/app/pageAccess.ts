/**
 * Which pages a role sees: each page stands on one command, and a page is shown only to roles the
 * role map lets run it (api/roles.ts decides; this only follows it).
 */
import { type CommandName, mayRun, type UserRole } from '../api/contract.js';
import { type PageName, PAGES } from './routes.js';

const PAGE_COMMAND: Record<PageName, CommandName> = {
  live: 'live.list',
  campaigns: 'campaigns.list',
  contacts: 'contacts.lists',
  flows: 'flows.list',
  history: 'calls.list',
  wallboard: 'kpi.wallboard',
  reports: 'kpi.report',
  agent: 'agents.offer',
  agents: 'agents.list',
  settings: 'settings.update',
  users: 'users.list',
  audit: 'audit.list',
};

/** The pages `role` may open, in the sidebar's order; every page while nobody is signed in. */
export function pagesFor(role: UserRole | null | undefined): PageName[] {
  return role ? PAGES.filter((page) => mayRun(role, PAGE_COMMAND[page])) : [...PAGES];
}
