import './wallboard.css';

import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';

import {
  type AgentStatus,
  KPI_TARGETS,
  type KpiWindow,
  type Wallboard,
  WALLBOARD_WINDOWS,
  type WallboardWindowName,
} from '../../api/contract.js';
import { useCommand, useEvent } from '../../api/hooks.js';
import { useFormat } from '../../i18n/format.js';
import { Badge } from '../../ui/Badge.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { Loading } from '../../ui/Loading.js';
import { Page } from '../../ui/Page.js';
import { agentStatusTone } from '../../ui/tones.js';
import { formatKpi, KPI_ROWS, kpiValue, type TargetState, targetStates } from './kpiFigures.js';
import { BarChart, DoughnutChart } from './lazyCharts.js';

/** The engine keeps pushing while the page asked within 5 minutes: ask again every minute. */
const KEEP_WATCHING_MS = 60_000;

const AGENT_STATES: readonly AgentStatus[] = [
  'available',
  'offered',
  'on_call',
  'wrap_up',
  'away',
  'offline',
];
const AGENT_COLOURS: Record<AgentStatus, string> = {
  available: '#1f7a4d',
  offered: '#8a5a00',
  on_call: '#6941c6',
  wrap_up: '#245b9e',
  away: '#9aa3ae',
  offline: '#d5dae0',
};

/** '' = every call; 'none' = calls outside campaigns; else a campaign id. */
type Scope = string;

function scoped(window: KpiWindow, scope: Scope): Pick<KpiWindow, 'total' | 'agents'> {
  if (scope === '') return window;
  const campaignId = scope === 'none' ? null : Number(scope);
  const found = window.campaigns.find((c) => c.campaignId === campaignId);
  return {
    total: found?.figures ?? EMPTY_FIGURES,
    agents: window.agents,
  };
}

const EMPTY_FIGURES: KpiWindow['total'] = {
  placed: 0,
  answered: 0,
  answerRate: null,
  ended: 0,
  failed: 0,
  callSuccessRate: null,
  botCompleted: 0,
  containmentRate: null,
  transferred: 0,
  abandoned: 0,
  abandonRate: null,
  avgTalkMs: null,
  avgWrapUpMs: null,
  avgHandleMs: null,
  replies: 0,
  replyLatencyP50Ms: null,
  replyLatencyP95Ms: null,
  answers: 0,
  understood: 0,
  understoodRate: null,
  avgConfidence: null,
  labelled: 0,
  labelledCorrect: 0,
  intentAccuracy: null,
};

/**
 * The supervisor's wallboard: the KPIs over the last 15 minutes, the last hour and today (in
 * total or for one campaign), the product's targets beside them, charts, the agents by state with
 * a ticking time in state, and each campaign's figures. `kpi.wallboard` loads it and arms the
 * engine's pushes; the `kpi.wallboard` event replaces it (at most once a second).
 */
export function WallboardPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const board = useCommand('kpi.wallboard', {});
  const { reload, setData } = board;
  useEvent('kpi.wallboard', (data) => setData(() => data));
  useEffect(() => {
    const timer = setInterval(reload, KEEP_WATCHING_MS);
    return () => clearInterval(timer);
  }, [reload]);
  const [scope, setScope] = useState<Scope>('');
  const [campaignWindow, setCampaignWindow] = useState<WallboardWindowName>('today');
  const now = useNow();
  const data = board.data;

  return (
    <Page
      name="wallboard"
      title={t('wallboard.title')}
      description={t('wallboard.description')}
      actions={
        data ? (
          <span className="counter" data-testid="wallboard-updated">
            {t('wallboard.updated', { time: format.time(data.at) })}
          </span>
        ) : null
      }
    >
      {board.error ? <ErrorNotice error={board.error} onRetry={board.reload} /> : null}
      {!data ? (
        board.error ? null : (
          <Loading />
        )
      ) : (
        <>
          <div className="toolbar">
            <div className="toolbar-field">
              <label htmlFor="wallboard-scope">{t('wallboard.scope')}</label>
              <select
                id="wallboard-scope"
                className="input"
                data-testid="wallboard-scope"
                value={scope}
                onChange={(e) => setScope(e.target.value)}
              >
                <option value="">{t('wallboard.allCampaigns')}</option>
                {campaignOptions(data).map(([value, name]) => (
                  <option key={value} value={value}>
                    {name ?? t('wallboard.noCampaign')}
                  </option>
                ))}
              </select>
            </div>
            <p className="muted wallboard-zone">
              {t('wallboard.timeZone', { zone: data.timeZone })}
            </p>
          </div>
          <Targets data={data} scope={scope} />
          <div className="wallboard-grid">
            <FiguresTable data={data} scope={scope} />
            <div className="wallboard-charts">
              <section className="card">
                <h2 className="card-title">{t('wallboard.charts.calls')}</h2>
                <BarChart
                  testId="chart-calls"
                  ariaLabel={t('wallboard.charts.calls')}
                  labels={WALLBOARD_WINDOWS.map((w) => t(`wallboard.windows.${w}`))}
                  series={(
                    ['placed', 'answered', 'botCompleted', 'transferred', 'abandoned'] as const
                  ).map((key) => ({
                    label: t(`wallboard.figures.${key}`),
                    values: WALLBOARD_WINDOWS.map((w) => scoped(data.windows[w], scope).total[key]),
                  }))}
                />
              </section>
              <section className="card">
                <h2 className="card-title">{t('wallboard.charts.latency')}</h2>
                <BarChart
                  testId="chart-latency"
                  ariaLabel={t('wallboard.charts.latency')}
                  labels={WALLBOARD_WINDOWS.map((w) => t(`wallboard.windows.${w}`))}
                  series={(['replyLatencyP50Ms', 'replyLatencyP95Ms'] as const).map((key) => ({
                    label: t(`wallboard.figures.${key}`),
                    values: WALLBOARD_WINDOWS.map((w) => scoped(data.windows[w], scope).total[key]),
                  }))}
                  target={{
                    label: t('wallboard.charts.target'),
                    value: KPI_TARGETS.replyLatencyMs.max,
                  }}
                />
              </section>
            </div>
          </div>
          <div className="wallboard-grid">
            <AgentsCard data={data} now={now} />
            <CampaignsCard data={data} window={campaignWindow} onWindow={setCampaignWindow} />
          </div>
        </>
      )}
    </Page>
  );
}

function campaignOptions(data: Wallboard): Array<[string, string | null]> {
  const seen = new Map<string, string | null>();
  for (const w of WALLBOARD_WINDOWS)
    for (const c of data.windows[w].campaigns)
      seen.set(c.campaignId === null ? 'none' : String(c.campaignId), c.name);
  return [...seen.entries()];
}

/** Re-renders every second, for the agents' time in state. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

function Targets({ data, scope }: { data: Wallboard; scope: Scope }) {
  const { t } = useTranslation();
  const today = scoped(data.windows.today, scope).total;
  const states = targetStates(today);
  const pct = (v: number | null) =>
    v === null ? t('wallboard.noValue') : `${(v * 100).toFixed(1)} %`;
  return (
    <section className="wallboard-targets" aria-label={t('wallboard.targets.title')}>
      <TargetTile
        id="callSuccess"
        title={t('wallboard.targets.callSuccess')}
        value={pct(today.callSuccessRate)}
        target={t('wallboard.targets.above', {
          value: `${KPI_TARGETS.callSuccessRate.min * 100} %`,
        })}
        state={states.callSuccess}
      />
      <TargetTile
        id="intentAccuracy"
        title={t('wallboard.targets.intentAccuracy')}
        value={pct(today.intentAccuracy)}
        target={t('wallboard.targets.above', {
          value: `${KPI_TARGETS.intentAccuracy.min * 100} %`,
        })}
        state={states.intentAccuracy}
        note={
          today.labelled > 0
            ? t('wallboard.targets.labelledCount', { count: today.labelled })
            : t('wallboard.targets.labelledNone', { value: pct(today.understoodRate) })
        }
      />
      <TargetTile
        id="replyLatency"
        title={t('wallboard.targets.replyLatency')}
        value={
          today.replyLatencyP95Ms === null
            ? t('wallboard.noValue')
            : `${Math.round(today.replyLatencyP95Ms)} ms`
        }
        target={t('wallboard.targets.below', { value: `${KPI_TARGETS.replyLatencyMs.max} ms` })}
        state={states.replyLatency}
      />
    </section>
  );
}

function TargetTile({
  id,
  title,
  value,
  target,
  state,
  note,
}: {
  id: string;
  title: string;
  value: string;
  target: string;
  state: TargetState;
  note?: string;
}) {
  const { t } = useTranslation();
  return (
    <div className={`card target-tile target-${state}`} data-testid={`target-${id}`}>
      <div className="target-title">{title}</div>
      <div className="target-value" data-testid={`target-${id}-value`}>
        {value}
      </div>
      <div className="target-line">
        <span className="muted">{target}</span>{' '}
        <Badge tone={state === 'met' ? 'success' : state === 'missed' ? 'danger' : 'neutral'}>
          {state === 'none'
            ? t('wallboard.targets.noData')
            : t(state === 'met' ? 'wallboard.targets.met' : 'wallboard.targets.missed')}
        </Badge>
      </div>
      {note ? <div className="muted target-note">{note}</div> : null}
    </div>
  );
}

function FiguresTable({ data, scope }: { data: Wallboard; scope: Scope }) {
  const { t } = useTranslation();
  const format = useFormat();
  const windows = WALLBOARD_WINDOWS.map((w) => [w, scoped(data.windows[w], scope)] as const);
  return (
    <section className="card wallboard-figures">
      <div className="table-wrap">
        <table className="table" data-testid="wallboard-figures">
          <caption className="sr-only">{t('wallboard.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('wallboard.figureHeader')}</th>
              {WALLBOARD_WINDOWS.map((w) => (
                <th key={w} scope="col" className="numeric">
                  {t(`wallboard.windows.${w}`)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {KPI_ROWS.map((row) => (
              <tr key={row}>
                <th scope="row">{t(`wallboard.figures.${row}`)}</th>
                {windows.map(([w, figures]) => (
                  <td key={w} className="numeric" data-testid={`kpi-${w}-${row}`}>
                    {formatKpi(
                      row,
                      kpiValue(row, figures.total, figures.agents),
                      format,
                      t('wallboard.noValue'),
                    )}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function AgentsCard({ data, now }: { data: Wallboard; now: number }) {
  const { t } = useTranslation();
  const format = useFormat();
  const counts = useMemo(
    () => AGENT_STATES.map((s) => data.agents.filter((a) => a.status === s).length),
    [data.agents],
  );
  return (
    <section className="card">
      <h2 className="card-title">{t('wallboard.agents.title')}</h2>
      {data.agents.length === 0 ? (
        <p className="muted">{t('wallboard.agents.none')}</p>
      ) : (
        <>
          <DoughnutChart
            testId="chart-agents"
            ariaLabel={t('wallboard.charts.agents')}
            labels={AGENT_STATES.map(
              (s) => `${t(`agentStatus.${s}`)} (${counts[AGENT_STATES.indexOf(s)] ?? 0})`,
            )}
            values={counts}
            colours={AGENT_STATES.map((s) => AGENT_COLOURS[s])}
          />
          <div className="table-wrap">
            <table className="table" data-testid="wallboard-agents">
              <thead>
                <tr>
                  <th scope="col">{t('wallboard.agents.name')}</th>
                  <th scope="col">{t('wallboard.agents.state')}</th>
                  <th scope="col" className="numeric">
                    {t('wallboard.agents.inState')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.agents.map((agent) => (
                  <tr key={agent.id} data-testid="wallboard-agent">
                    <td>{agent.displayName}</td>
                    <td>
                      <Badge tone={agentStatusTone[agent.status]}>
                        {t(`agentStatus.${agent.status}`)}
                      </Badge>
                    </td>
                    <td className="numeric">
                      {agent.since === null
                        ? t('wallboard.noValue')
                        : format.clock(Math.max(0, now - agent.since))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

function CampaignsCard({
  data,
  window,
  onWindow,
}: {
  data: Wallboard;
  window: WallboardWindowName;
  onWindow: (w: WallboardWindowName) => void;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const campaigns = data.windows[window].campaigns;
  const columns = [
    'placed',
    'answerRate',
    'containmentRate',
    'transferred',
    'abandonRate',
    'replyLatencyP95Ms',
  ] as const;
  return (
    <section className="card">
      <div className="wallboard-card-head">
        <h2 className="card-title">
          {t('wallboard.campaigns.title', { window: t(`wallboard.windows.${window}`) })}
        </h2>
        <div className="segmented" role="group">
          {WALLBOARD_WINDOWS.map((w) => (
            <button
              key={w}
              type="button"
              className="segmented-option"
              aria-pressed={w === window}
              onClick={() => onWindow(w)}
            >
              {t(`wallboard.windows.${w}`)}
            </button>
          ))}
        </div>
      </div>
      {campaigns.length === 0 ? (
        <p className="muted">{t('wallboard.campaigns.none')}</p>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="wallboard-campaigns">
            <thead>
              <tr>
                <th scope="col">{t('wallboard.campaigns.name')}</th>
                {columns.map((c) => (
                  <th key={c} scope="col" className="numeric">
                    {t(`wallboard.figures.${c}`)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {campaigns.map((c) => (
                <tr key={c.campaignId ?? 'none'} data-testid="wallboard-campaign">
                  <td>{c.name ?? t('wallboard.noCampaign')}</td>
                  {columns.map((col) => (
                    <td key={col} className="numeric">
                      {formatKpi(col, c.figures[col], format, t('wallboard.noValue'))}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
