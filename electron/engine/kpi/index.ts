/**
 * kpi/ — the call-center KPIs of the wallboard and the reports: which windows and days (the
 * workspace's time zone), the figures from the store's indexed sums, live pushes while a console
 * watches, and the report's CSV. The queries themselves are the store's (repositories/kpi.ts).
 */
export { kpiCommandHandlers } from './kpi-commands.js';
export { KpiService } from './kpi-service.js';
