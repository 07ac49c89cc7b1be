/** The `kpi.*` commands (api/kpi.ts) over the KpiService. */
import type { CommandHandlers } from '../api/dispatcher.js';
import type { KpiService } from './kpi-service.js';

type KpiCommand = 'kpi.wallboard' | 'kpi.report' | 'kpi.reportCsv';

export function kpiCommandHandlers(kpi: KpiService): Pick<CommandHandlers, KpiCommand> {
  return {
    'kpi.wallboard': () => kpi.wallboard(),
    'kpi.report': (params) => kpi.report(params),
    'kpi.reportCsv': (params) => kpi.reportCsv(params),
  };
}
