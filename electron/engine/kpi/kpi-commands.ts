/** The `kpi.*` commands (api/kpi.ts) over the KpiService. */
import type { CommandHandlers } from '../api/dispatcher.js';
import { type Actor, requestActor, writeAudit } from '../audit/index.js';
import type { Repositories } from '../store/types.js';
import type { KpiService } from './kpi-service.js';

type KpiCommand = 'kpi.wallboard' | 'kpi.report' | 'kpi.reportCsv';

/** `audit`: where the report's CSV export is audited, and who acts without a request principal. */
export function kpiCommandHandlers(
  kpi: KpiService,
  audit: { store: Pick<Repositories, 'audit'>; actor: Actor },
): Pick<CommandHandlers, KpiCommand> {
  return {
    'kpi.wallboard': () => kpi.wallboard(),
    'kpi.report': (params) => kpi.report(params),
    'kpi.reportCsv': async (params, context) => {
      const result = await kpi.reportCsv(params);
      // Every export is audited (issue 13), the report's figures included.
      await writeAudit(audit.store, requestActor(context, audit.actor), {
        action: 'reports.export',
        subject: result.fileName,
        details: { ...params, rows: result.rows },
      });
      return result;
    },
  };
}
