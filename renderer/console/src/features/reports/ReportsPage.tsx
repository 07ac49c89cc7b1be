import '../wallboard/wallboard.css';

import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

import { KPI_TARGETS } from '../../api/contract.js';
import { useCommand, useMutation } from '../../api/hooks.js';
import { useFormat } from '../../i18n/format.js';
import { downloadText } from '../../ui/csvExport.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { Loading } from '../../ui/Loading.js';
import { Page } from '../../ui/Page.js';
import { formatKpi, KPI_ROWS, kpiValue } from '../wallboard/kpiFigures.js';
import { BarChart } from '../wallboard/lazyCharts.js';

/** YYYY-MM-DD of the day `daysBack` days before today in `timeZone` (the workspace's, as the engine counts days). */
export function zonedDate(daysBack: number, timeZone: string, now = new Date()): string {
  // en-CA writes dates as YYYY-MM-DD.
  const today = new Intl.DateTimeFormat('en-CA', { timeZone }).format(now);
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d - daysBack)).toISOString().slice(0, 10);
}

/**
 * The Reports page: the wallboard's figures per day for a date range (the last 7 days by default),
 * for every call or one campaign, as charts and a table with a total row, and the same as a CSV
 * file written by the engine (every cell CSV-safe).
 */
export function ReportsPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const settings = useCommand('settings.get', {});
  const timeZone = settings.data?.timeZone;
  // The last 7 days, once the workspace's time zone is known.
  const [range, setRange] = useState<{ from: string; to: string } | null>(null);
  useEffect(() => {
    if (timeZone && range === null)
      setRange({ from: zonedDate(6, timeZone), to: zonedDate(0, timeZone) });
  }, [timeZone, range]);
  const from = range?.from ?? '';
  const to = range?.to ?? '';
  const setFrom = (value: string) => setRange({ from: value, to });
  const setTo = (value: string) => setRange({ from, to: value });
  const [campaign, setCampaign] = useState('');
  const params = {
    from,
    to,
    ...(campaign === '' ? {} : { campaignId: Number(campaign) }),
  };
  const report = useCommand('kpi.report', params, { enabled: from !== '' && to !== '' });
  const campaigns = useCommand('campaigns.list', {});
  const exportCsv = useMutation('kpi.reportCsv');
  const [exported, setExported] = useState<string | null>(null);
  const data = report.data;
  const dash = t('wallboard.noValue');

  const runExport = async () => {
    setExported(null);
    const result = await exportCsv.run(params);
    if (!result) return;
    downloadText(result.csv, result.fileName);
    setExported(t('reports.exported', { rows: result.rows, file: result.fileName }));
  };

  return (
    <Page
      name="reports"
      title={t('reports.title')}
      description={t('reports.description')}
      actions={
        <button
          type="button"
          className="button button-secondary"
          data-testid="reports-export"
          disabled={exportCsv.pending || !data}
          onClick={() => void runExport()}
        >
          {exportCsv.pending ? t('reports.exporting') : t('reports.export')}
        </button>
      }
    >
      <div className="toolbar">
        <div className="toolbar-field">
          <label htmlFor="reports-from">{t('reports.from')}</label>
          <input
            id="reports-from"
            className="input"
            type="date"
            data-testid="reports-from"
            value={from}
            max={to}
            onChange={(e) => setFrom(e.target.value)}
          />
        </div>
        <div className="toolbar-field">
          <label htmlFor="reports-to">{t('reports.to')}</label>
          <input
            id="reports-to"
            className="input"
            type="date"
            data-testid="reports-to"
            value={to}
            min={from}
            onChange={(e) => setTo(e.target.value)}
          />
        </div>
        <div className="toolbar-field">
          <label htmlFor="reports-campaign">{t('reports.campaign')}</label>
          <select
            id="reports-campaign"
            className="input"
            data-testid="reports-campaign"
            value={campaign}
            onChange={(e) => setCampaign(e.target.value)}
          >
            <option value="">{t('reports.allCampaigns')}</option>
            {(campaigns.data?.campaigns ?? []).map((c) => (
              <option key={c.id} value={String(c.id)}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
        {data ? (
          <p className="muted wallboard-zone">{t('reports.timeZone', { zone: data.timeZone })}</p>
        ) : null}
      </div>
      {exported ? (
        <p className="muted" role="status" data-testid="reports-exported">
          {exported}
        </p>
      ) : null}
      {exportCsv.error ? <ErrorNotice error={exportCsv.error} /> : null}
      {report.error ? <ErrorNotice error={report.error} onRetry={report.reload} /> : null}
      {!data ? (
        report.error ? null : (
          <Loading />
        )
      ) : (
        <>
          {data.total.placed === 0 ? (
            <p className="muted" data-testid="reports-empty">
              {t('reports.empty')}
            </p>
          ) : (
            <div className="wallboard-grid">
              <section className="card">
                <h2 className="card-title">{t('reports.charts.calls')}</h2>
                <BarChart
                  testId="chart-report-calls"
                  ariaLabel={t('reports.charts.calls')}
                  labels={data.days.map((d) => d.date)}
                  series={(
                    ['placed', 'answered', 'botCompleted', 'transferred', 'abandoned'] as const
                  ).map((key) => ({
                    label: t(`reports.figures.${key}`),
                    values: data.days.map((d) => d.figures[key]),
                  }))}
                />
              </section>
              <section className="card">
                <h2 className="card-title">{t('reports.charts.latency')}</h2>
                <BarChart
                  testId="chart-report-latency"
                  ariaLabel={t('reports.charts.latency')}
                  labels={data.days.map((d) => d.date)}
                  series={(['replyLatencyP50Ms', 'replyLatencyP95Ms'] as const).map((key) => ({
                    label: t(`reports.figures.${key}`),
                    values: data.days.map((d) => d.figures[key]),
                  }))}
                  target={{
                    label: t('reports.charts.target'),
                    value: KPI_TARGETS.replyLatencyMs.max,
                  }}
                />
              </section>
            </div>
          )}
          <section className="card">
            <div className="table-wrap">
              <table className="table reports-table" data-testid="reports-table">
                <caption className="sr-only">{t('reports.title')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('reports.date')}</th>
                    {KPI_ROWS.map((row) => (
                      <th key={row} scope="col" className="numeric">
                        {t(`reports.figures.${row}`)}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {data.days.map((day) => (
                    <tr key={day.date} data-testid="reports-day" data-date={day.date}>
                      <th scope="row">{day.date}</th>
                      {KPI_ROWS.map((row) => (
                        <td key={row} className="numeric" data-kpi={row}>
                          {formatKpi(row, kpiValue(row, day.figures, day.agents), format, dash)}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr data-testid="reports-total">
                    <th scope="row">{t('reports.total')}</th>
                    {KPI_ROWS.map((row) => (
                      <td key={row} className="numeric" data-kpi={row}>
                        {formatKpi(row, kpiValue(row, data.total, data.agents), format, dash)}
                      </td>
                    ))}
                  </tr>
                </tfoot>
              </table>
            </div>
          </section>
        </>
      )}
    </Page>
  );
}
