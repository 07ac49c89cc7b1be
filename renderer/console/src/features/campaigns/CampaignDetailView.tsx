import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

import {
  CALL_OUTCOMES,
  type CallOutcome,
  type CampaignContact,
  CampaignContactStatus,
  type CampaignDetail,
} from '../../api/contract.js';
import { useCommand, useEvent, useMutation } from '../../api/hooks.js';
import { hrefFor } from '../../app/routes.js';
import { useDispositionLabel } from '../../i18n/dispositions.js';
import { useFormat } from '../../i18n/format.js';
import { Badge } from '../../ui/Badge.js';
import { type Column, DataTable } from '../../ui/DataTable.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { Loading } from '../../ui/Loading.js';
import { Pager } from '../../ui/Pager.js';
import { campaignTone, outcomeTone } from '../../ui/tones.js';
import { CampaignProgressView } from './CampaignProgressView.js';
import { type DoneReasonPart, parseDoneReason } from './doneReason.js';
import { ExplainPanel } from './ExplainPanel.js';

const PAGE_SIZE = 25;
/** The contacts table reloads at most this often while `campaign.updated` events stream in. */
const CONTACTS_RELOAD_MS = 1500;

type Lifecycle = 'campaigns.start' | 'campaigns.pause' | 'campaigns.resume' | 'campaigns.stop';

/** One campaign: status and controls, live progress from `campaign.updated`, its contacts and why one is not called now. */
export function CampaignDetailView({ name }: { name: string }) {
  const campaign = useCommand('campaigns.get', { name });
  const [explained, setExplained] = useState<string | null>(null);
  const [contactsNonce, setContactsNonce] = useState(0);
  const lastReload = useRef(0);
  const pendingReload = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEvent('campaign.updated', (detail) => {
    if (detail.name !== name) return;
    campaign.setData(() => detail);
    // Throttled: a running campaign sends several updates a second.
    if (pendingReload.current) return;
    const wait = Math.max(0, lastReload.current + CONTACTS_RELOAD_MS - Date.now());
    pendingReload.current = setTimeout(() => {
      pendingReload.current = null;
      lastReload.current = Date.now();
      setContactsNonce((n) => n + 1);
    }, wait);
  });
  useEffect(() => () => clearTimeout(pendingReload.current ?? undefined), []);

  if (campaign.error && !campaign.data) {
    return (
      <>
        <BackLink />
        <ErrorNotice
          error={campaign.error}
          onRetry={campaign.reload}
          testId="campaign-load-error"
        />
      </>
    );
  }
  if (!campaign.data) return <Loading />;
  const detail = campaign.data;
  return (
    <div className="campaign-detail" data-testid="campaign-detail" data-status={detail.status}>
      <BackLink />
      <CampaignHeader detail={detail} onChanged={(d) => campaign.setData(() => d)} />
      <CampaignProgressView progress={detail.progress} />
      <div className={explained ? 'split campaign-split' : undefined}>
        <CampaignContacts
          name={name}
          nonce={contactsNonce}
          onExplain={setExplained}
          explained={explained}
        />
        {explained ? (
          <ExplainPanel campaign={name} phone={explained} onClose={() => setExplained(null)} />
        ) : null}
      </div>
    </div>
  );
}

function BackLink() {
  const { t } = useTranslation();
  return (
    <p className="campaign-back">
      <a href={hrefFor('campaigns')} className="link-button" data-testid="campaign-back">
        {t('campaignPage.back')}
      </a>
    </p>
  );
}

function CampaignHeader({
  detail,
  onChanged,
}: {
  detail: CampaignDetail;
  onChanged: (detail: CampaignDetail) => void;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const start = useMutation('campaigns.start');
  const pause = useMutation('campaigns.pause');
  const resume = useMutation('campaigns.resume');
  const stop = useMutation('campaigns.stop');
  const all = {
    'campaigns.start': start,
    'campaigns.pause': pause,
    'campaigns.resume': resume,
    'campaigns.stop': stop,
  } satisfies Record<Lifecycle, unknown>;
  const pending = Object.values(all).some((m) => m.pending);
  const error = Object.values(all).find((m) => m.error)?.error ?? null;
  const run = async (command: Lifecycle) => {
    for (const m of Object.values(all)) m.reset();
    const result = await all[command].run({ name: detail.name });
    if (result) onChanged(result);
  };
  const button = (command: Lifecycle, label: string, primary = false) => (
    <button
      type="button"
      className={primary ? 'button button-primary' : 'button button-secondary'}
      onClick={() => void run(command)}
      disabled={pending}
      data-testid={`campaign-${command.split('.')[1]}`}
    >
      {label}
    </button>
  );
  const { config } = detail;
  return (
    <section className="card campaign-header" aria-labelledby="campaign-title">
      <div className="campaign-header-top">
        <div>
          <h2 id="campaign-title" className="campaign-name">
            {detail.name}{' '}
            <Badge tone={campaignTone[detail.status]} testId="campaign-status">
              {t(`campaignStatus.${detail.status}`)}
            </Badge>
          </h2>
          <p className="muted">
            {t('campaignPage.headerFacts', {
              mode: t(`dialingMode.${detail.dialingMode}`),
              list: detail.listName ?? t('common.none'),
              flow: detail.flowName
                ? detail.flowVersion
                  ? t('campaignPage.flowVersion', {
                      flow: detail.flowName,
                      version: detail.flowVersion,
                    })
                  : detail.flowName
                : t('campaignPage.noFlow'),
              trunks: config.trunks.join(' → '),
              max: format.number(config.maxConcurrentCalls),
            })}
          </p>
          {config.amd.enabled ? (
            <p className="muted" data-testid="campaign-amd" data-action={config.amd.machineAction}>
              {t(`campaignPage.amd.${config.amd.machineAction}`, {
                wait: format.number(config.amd.maxBeepWaitMs / 1000),
              })}
            </p>
          ) : null}
        </div>
        <div className="campaign-controls" role="group" aria-label={t('campaignPage.controls')}>
          {detail.status === 'draft' || detail.status === 'stopped' || detail.status === 'completed'
            ? button('campaigns.start', t('campaignPage.start'), true)
            : null}
          {detail.status === 'running' ? button('campaigns.pause', t('campaignPage.pause')) : null}
          {detail.status === 'paused'
            ? button('campaigns.resume', t('campaignPage.resume'), true)
            : null}
          {detail.status === 'running' || detail.status === 'paused'
            ? button('campaigns.stop', t('campaignPage.stop'))
            : null}
        </div>
      </div>
      {detail.status === 'paused' ? <p className="muted">{t('campaignPage.pausedHelp')}</p> : null}
      {detail.status === 'running' && detail.waiting ? (
        <CampaignWaiting wait={detail.waiting} />
      ) : null}
      {detail.status === 'running' && detail.pacing ? (
        <CampaignPacingView pacing={detail.pacing} />
      ) : null}
      {error ? (
        <ErrorNotice
          error={error}
          title={t('campaignPage.controlFailed')}
          testId="campaign-control-error"
        />
      ) : null}
    </section>
  );
}

/** A predictive campaign's pacing now: dial level, abandonment in its window against the cap, occupancy. */
function CampaignPacingView({ pacing }: { pacing: NonNullable<CampaignDetail['pacing']> }) {
  const { t } = useTranslation();
  const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
  const hours = pacing.windowMs / 3_600_000;
  const window =
    hours % 24 === 0
      ? t('campaignPage.pacing.days', { count: hours / 24 })
      : t('campaignPage.pacing.hours', { count: hours });
  const near = pacing.abandonRate * 100 >= pacing.capPct * 0.9;
  return (
    <dl
      className="campaign-pacing"
      data-testid="campaign-pacing"
      data-fallback={pacing.fallback ? 'true' : 'false'}
      title={pacing.reason}
    >
      <div>
        <dt>{t('campaignPage.pacing.dialLevel')}</dt>
        <dd data-testid="campaign-pacing-level">
          {pacing.dialLevel.toFixed(2)}
          {pacing.fallback ? ` · ${t('campaignPage.pacing.fallback')}` : ''}
        </dd>
      </div>
      <div>
        <dt>{t('campaignPage.pacing.abandonment', { window })}</dt>
        <dd data-testid="campaign-pacing-abandoned" className={near ? 'near-cap' : undefined}>
          {t('campaignPage.pacing.rate', {
            rate: pct(pacing.abandonRate),
            cap: `${pacing.capPct} %`,
            abandoned: pacing.abandoned,
            answered: pacing.answered,
          })}
        </dd>
      </div>
      <div>
        <dt>{t('campaignPage.pacing.occupancy')}</dt>
        <dd data-testid="campaign-pacing-occupancy">
          {t('campaignPage.pacing.occupancyValue', {
            occupancy: pct(pacing.occupancy),
            busy: pacing.agentsBusy,
            agents: pacing.agentsBusy + pacing.agentsReady,
          })}
        </dd>
      </div>
    </dl>
  );
}

/** Why a running campaign places no calls now (its flow's phrase models are training or failed, its trunks are down). */
function CampaignWaiting({ wait }: { wait: NonNullable<CampaignDetail['waiting']> }) {
  const { t } = useTranslation();
  const text =
    wait.reason === 'trunk_down'
      ? t('campaignPage.waiting.trunkDown', { error: wait.error ?? '' })
      : wait.reason === 'flow_failed'
        ? t('campaignPage.waiting.flowFailed', { error: wait.error ?? '' })
        : wait.question !== null && wait.questions !== null
          ? t('campaignPage.waiting.training', {
              question: wait.question,
              questions: wait.questions,
            })
          : t('campaignPage.waiting.trainingStarting');
  return (
    <p
      className="notice campaign-waiting"
      role="status"
      data-testid="campaign-waiting"
      data-reason={wait.reason}
    >
      {text}
    </p>
  );
}

const STATUS_FILTERS = ['', ...CampaignContactStatus.options] as const;

function CampaignContacts({
  name,
  nonce,
  onExplain,
  explained,
}: {
  name: string;
  nonce: number;
  onExplain: (phone: string) => void;
  explained: string | null;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const [status, setStatus] = useState<(typeof STATUS_FILTERS)[number]>('');
  const [search, setSearch] = useState('');
  const [offset, setOffset] = useState(0);
  const params = {
    name,
    limit: PAGE_SIZE,
    offset,
    ...(status ? { status } : {}),
    ...(search.trim() ? { search: search.trim() } : {}),
  };
  const contacts = useCommand('campaigns.contacts', params);
  const { reload } = contacts;
  useEffect(() => {
    if (nonce > 0) reload();
  }, [nonce, reload]);
  const none = t('common.none');
  const dispositionLabel = useDispositionLabel();
  const outcomeName = (outcome: string) =>
    (CALL_OUTCOMES as readonly string[]).includes(outcome)
      ? t(`outcome.${outcome as CallOutcome}`)
      : outcome;
  const partText = (p: DoneReasonPart): string => {
    switch (p.key) {
      case 'outcome':
        return outcomeName(p.outcome);
      case 'finalDisposition':
        return t('campaignPage.contacts.done.finalDisposition', {
          disposition: dispositionLabel(p.disposition),
        });
      case 'maxAttempts':
        return t('campaignPage.contacts.done.maxAttempts', { n: format.number(p.count) });
      case 'noRetry':
        return t('campaignPage.contacts.done.noRetry', { outcome: outcomeName(p.outcome) });
      case 'optedOut':
        return t('campaignPage.contacts.done.optedOut');
      case 'dnc':
        return t('campaignPage.contacts.done.dnc');
      case 'noConsent':
        return t('campaignPage.contacts.done.noConsent');
    }
  };
  // The engine's sentence in words of the UI language; one this console does not know, as written.
  const doneText = (reason: string) => parseDoneReason(reason)?.map(partText).join('; ') ?? reason;
  const columns: Column<CampaignContact>[] = [
    {
      id: 'phone',
      header: t('campaignPage.contacts.columns.phone'),
      cell: (c) => <span className="mono">{c.phone}</span>,
    },
    { id: 'name', header: t('campaignPage.contacts.columns.name'), cell: (c) => c.name ?? none },
    {
      id: 'status',
      header: t('campaignPage.contacts.columns.status'),
      cell: (c) => (
        <Badge tone={c.status === 'done' ? 'neutral' : c.status === 'leased' ? 'active' : 'info'}>
          {t(`campaignPage.contacts.status.${c.status}`)}
        </Badge>
      ),
    },
    {
      id: 'attempts',
      header: t('campaignPage.contacts.columns.attempts'),
      numeric: true,
      cell: (c) => format.number(c.attempts),
    },
    {
      id: 'outcome',
      header: t('campaignPage.contacts.columns.lastOutcome'),
      cell: (c) =>
        c.lastOutcome ? (
          <Badge tone={outcomeTone[c.lastOutcome]}>{t(`outcome.${c.lastOutcome}`)}</Badge>
        ) : (
          none
        ),
    },
    {
      id: 'disposition',
      header: t('campaignPage.contacts.columns.disposition'),
      cell: (c) => (c.lastDisposition === null ? none : dispositionLabel(c.lastDisposition)),
    },
    {
      id: 'next',
      header: t('campaignPage.contacts.columns.next'),
      cell: (c) =>
        c.callbackAt
          ? t('campaignPage.contacts.callback', { at: format.dateTimeShort(c.callbackAt) })
          : c.nextAt
            ? format.dateTimeShort(c.nextAt)
            : c.doneReason === null
              ? none
              : doneText(c.doneReason),
    },
    {
      id: 'consent',
      header: t('campaignPage.contacts.columns.consent'),
      cell: (c) =>
        c.consentAt === null ? (
          none
        ) : (
          <span data-testid="contact-consent" title={c.consentSource ?? undefined}>
            {c.consentSource === null
              ? format.dateTimeShort(c.consentAt)
              : t('campaignPage.contacts.consent', {
                  at: format.dateTimeShort(c.consentAt),
                  source: c.consentSource,
                })}
          </span>
        ),
    },
    {
      id: 'why',
      header: t('campaignPage.contacts.columns.why'),
      cell: (c) => (
        <button
          type="button"
          className="button button-ghost button-small"
          onClick={() => onExplain(c.phone)}
          aria-pressed={explained === c.phone}
          data-testid="contact-explain"
        >
          {t('campaignPage.contacts.why')}
        </button>
      ),
    },
  ];
  const rows = contacts.data?.contacts ?? [];
  return (
    <section
      className="card campaign-contacts"
      aria-labelledby="campaign-contacts-title"
      data-testid="campaign-contacts"
    >
      <h2 id="campaign-contacts-title" className="card-title">
        {t('campaignPage.contacts.title')}
      </h2>
      <div className="toolbar">
        <div className="toolbar-field toolbar-grow">
          <label htmlFor="campaign-contacts-search">{t('campaignPage.contacts.search')}</label>
          <input
            id="campaign-contacts-search"
            className="input"
            type="search"
            value={search}
            placeholder={t('campaignPage.contacts.searchPlaceholder')}
            onChange={(e) => {
              setSearch(e.target.value);
              setOffset(0);
            }}
            data-testid="campaign-contacts-search"
          />
        </div>
        <div className="toolbar-field">
          <label htmlFor="campaign-contacts-status">
            {t('campaignPage.contacts.statusFilter')}
          </label>
          <select
            id="campaign-contacts-status"
            className="input"
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as (typeof STATUS_FILTERS)[number]);
              setOffset(0);
            }}
            data-testid="campaign-contacts-status"
          >
            {STATUS_FILTERS.map((s) => (
              <option key={s || 'all'} value={s}>
                {s
                  ? t(`campaignPage.contacts.status.${s}`)
                  : t('campaignPage.contacts.allStatuses')}
              </option>
            ))}
          </select>
        </div>
      </div>
      {contacts.error ? (
        <ErrorNotice
          error={contacts.error}
          onRetry={contacts.reload}
          testId="campaign-contacts-error"
        />
      ) : null}
      {!contacts.data ? (
        contacts.error ? null : (
          <Loading />
        )
      ) : rows.length === 0 ? (
        <p className="muted" data-testid="campaign-contacts-empty">
          {t('campaignPage.contacts.empty')}
        </p>
      ) : (
        <>
          <DataTable
            caption={t('campaignPage.contacts.title')}
            columns={columns}
            rows={rows}
            rowKey={(c) => c.contactId}
            rowTestId="campaign-contact-row"
            rowData={(c) => ({ 'data-phone': c.phone, 'data-status': c.status })}
            isSelected={(c) => c.phone === explained}
            testId="campaign-contacts-table"
          />
          <Pager
            offset={offset}
            limit={PAGE_SIZE}
            total={contacts.data.total}
            onChange={setOffset}
            testIdPrefix="campaign-contacts-pager"
          />
        </>
      )}
    </section>
  );
}
