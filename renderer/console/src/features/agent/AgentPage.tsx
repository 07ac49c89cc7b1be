/**
 * The Agent page: who I am (the signed-in user's agent record; issue 13), my status, the call offered to me with
 * its context card and countdown, the call itself (live transcript, mute, hold, keypad, hang-up,
 * timer) and the wrap-up form with its countdown. The audio runs in the media host on this
 * machine (Settings picks the microphone and speaker); this page only drives it.
 */
import { type FormEvent, useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';

import type { EventData } from '../../api/contract.js';
import { useCommand, useEvent, useMutation } from '../../api/hooks.js';
import { Badge } from '../../ui/Badge.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';
import { useNow } from '../../ui/hooks.js';
import { Page } from '../../ui/Page.js';
import { useAuth } from '../auth/context.js';
import { ContactFacts } from './ContactFacts.js';
import { PreviewCard, usePreview } from './PreviewCard.js';

type AgentState = EventData<'agent.state'>;
type Offer = EventData<'agent.offer'>;
type Line = {
  speaker: 'bot' | 'customer' | 'agent' | 'supervisor';
  text: string;
  intent: string | null;
  startMs: number;
};

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];

function seconds(ms: number): number {
  return Math.max(0, Math.ceil(ms / 1000));
}

function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}

export function AgentPage() {
  const { t } = useTranslation();
  // The engine takes an agent's agentId from the sign-in; the page shows that agent.
  const agentId = useAuth().user?.agentId ?? null;
  const states = useCommand('agents.states', {});
  useEvent('agent.state', (state) =>
    states.setData(
      (previous) =>
        previous && {
          agents: previous.agents.some((a) => a.id === state.id)
            ? previous.agents.map((a) => (a.id === state.id ? state : a))
            : [...previous.agents, state],
        },
    ),
  );
  useEvent('agents.changed', () => states.reload());
  const agents = states.data?.agents ?? [];
  const me = agents.find((a) => a.id === agentId) ?? null;

  return (
    <Page name="agent" title={t('agentDesk.title')} description={t('agentDesk.description')}>
      {states.error ? <ErrorNotice error={states.error} onRetry={states.reload} /> : null}
      <div className="card toolbar" data-testid="agent-identity">
        <div className="toolbar-field">
          <span className="field-label">{t('agentDesk.whoAmI')}</span>
          <span data-testid="agent-me">{me ? `${me.displayName} (${me.username})` : '–'}</span>
        </div>
        {me ? <StatusControls me={me} /> : null}
      </div>
      {me ? <AgentDesk me={me} /> : null}
    </Page>
  );
}

function StatusControls({ me }: { me: AgentState }) {
  const { t } = useTranslation();
  const setStatus = useMutation('agents.setStatus');
  const busy = me.status === 'offered' || me.status === 'on_call' || me.status === 'wrap_up';
  const tone =
    me.status === 'available'
      ? 'success'
      : me.status === 'away' || me.status === 'offline'
        ? 'neutral'
        : me.status === 'wrap_up'
          ? 'warning'
          : 'active';
  return (
    <div className="toolbar-field">
      <span className="field-label">{t('agentDesk.status')}</span>
      <Badge tone={tone} testId="agent-status">
        {t(`agentDesk.statuses.${me.status}`)}
      </Badge>
      <div className="segmented">
        <button
          type="button"
          className="button button-small button-secondary"
          disabled={busy || me.status === 'available' || setStatus.pending}
          onClick={() => void setStatus.run({ agentId: me.id, status: 'available' })}
          data-testid="agent-go-available"
        >
          {t('agentDesk.goAvailable')}
        </button>
        <button
          type="button"
          className="button button-small button-secondary"
          disabled={busy || me.status === 'away' || setStatus.pending}
          onClick={() => void setStatus.run({ agentId: me.id, status: 'away' })}
          data-testid="agent-go-away"
        >
          {t('agentDesk.goAway')}
        </button>
      </div>
      {setStatus.error ? <ErrorNotice error={setStatus.error} /> : null}
    </div>
  );
}

function AgentDesk({ me }: { me: AgentState }) {
  const { t } = useTranslation();
  const [offer, setOffer] = useState<Offer | null>(null);
  /** The context card of the call I accepted (kept for the call and its wrap-up). */
  const [accepted, setAccepted] = useState<Offer | null>(null);
  const [lines, setLines] = useState<Line[]>([]);
  const current = useCommand('agents.offer', { agentId: me.id });
  useEffect(() => {
    if (current.data?.offer) setOffer(current.data.offer);
  }, [current.data]);
  useEvent('agent.offer', (o) => {
    if (o.agentId === me.id) setOffer(o);
  });
  useEvent('agent.offerEnded', (ended) => {
    if (ended.agentId === me.id) setOffer((o) => (o && o.callId === ended.callId ? null : o));
  });
  const preview = usePreview(me.id);
  const callId = me.status === 'on_call' || me.status === 'wrap_up' ? me.callId : null;
  useEvent('call.utterance', (u) => {
    if (u.callId === callId)
      setLines((previous) => [
        ...previous,
        { speaker: u.speaker, text: u.text, intent: u.intent, startMs: u.startMs },
      ]);
  });

  // A preview campaign's contact held for me (status offered with its call), dialed or not yet.
  if (me.status === 'offered' && preview && preview.callId === me.callId)
    return <PreviewCard preview={preview} />;
  if (me.status === 'offered' && offer && offer.callId === me.callId) {
    return (
      <OfferCard
        offer={offer}
        onAccepted={() => {
          setAccepted(offer);
          setLines(offer.context.transcript);
        }}
      />
    );
  }
  if (me.status === 'on_call' && me.callId)
    return <CallPanel callId={me.callId} offer={accepted} lines={lines} />;
  if (me.status === 'wrap_up' && me.callId)
    return <WrapUpForm callId={me.callId} deadline={me.deadline} offer={accepted} />;
  return (
    <div className="card" data-testid="agent-idle">
      <p className="muted">
        {me.status === 'available' ? t('agentDesk.waiting') : t('agentDesk.notAvailable')}
      </p>
    </div>
  );
}

function Transcript({ lines, testId }: { lines: Line[]; testId: string }) {
  const { t } = useTranslation();
  return (
    <ol className="transcript" data-testid={testId}>
      {lines.map((line, i) => (
        <li
          key={i}
          className={`utterance utterance-${line.speaker}`}
          data-testid="agent-utterance"
          data-speaker={line.speaker}
        >
          <div className="utterance-meta">
            <span className="utterance-speaker">{t(`agentDesk.speakers.${line.speaker}`)}</span>
            {line.intent ? <span className="tag">{line.intent}</span> : null}
          </div>
          <p className="utterance-text">{line.text || '…'}</p>
        </li>
      ))}
    </ol>
  );
}

function OfferCard({ offer, onAccepted }: { offer: Offer; onAccepted: () => void }) {
  const { t, i18n } = useTranslation();
  const now = useNow(250);
  const accept = useMutation('agents.accept');
  const decline = useMutation('agents.decline');
  const { context } = offer;
  const queueLabel = i18n.language === 'zh-CN' ? context.queue.labelZh : context.queue.labelEn;
  return (
    <div
      className="card"
      data-testid="agent-offer"
      data-call-id={offer.callId}
      role="alertdialog"
      aria-label={t('agentDesk.offer.title')}
    >
      <h2 className="card-title">
        {t('agentDesk.offer.title')}{' '}
        <Badge tone="warning" testId="offer-countdown">
          {t('agentDesk.offer.expiresIn', { seconds: seconds(offer.expiresAt - now) })}
        </Badge>
      </h2>
      <ContactFacts
        contact={context.contact}
        campaign={context.campaign}
        testIds={{ list: 'offer-context', name: 'offer-contact', phone: 'offer-phone' }}
      >
        <div className="details-row">
          <dt>{t('agentDesk.offer.queue')}</dt>
          <dd data-testid="offer-queue">{queueLabel}</dd>
        </div>
        <div className="details-row">
          <dt>{t('agentDesk.offer.reason')}</dt>
          <dd data-testid="offer-reason">{context.reason}</dd>
        </div>
        <div className="details-row">
          <dt>{t('agentDesk.offer.lastIntent')}</dt>
          <dd data-testid="offer-intent">{context.lastIntent ?? t('agentDesk.offer.none')}</dd>
        </div>
      </ContactFacts>
      <h3 className="section-title" style={{ margin: '16px 0 8px' }}>
        {t('agentDesk.offer.transcript')}
      </h3>
      <Transcript lines={context.transcript} testId="offer-transcript" />
      {accept.error ? <ErrorNotice error={accept.error} /> : null}
      {decline.error ? <ErrorNotice error={decline.error} /> : null}
      <div className="form-actions" style={{ marginTop: 16 }}>
        <button
          type="button"
          className="button button-primary"
          disabled={accept.pending}
          data-testid="agent-accept"
          onClick={async () => {
            if (await accept.run({ callId: offer.callId, agentId: offer.agentId })) onAccepted();
          }}
        >
          {t('agentDesk.offer.accept')}
        </button>
        <button
          type="button"
          className="button button-secondary"
          disabled={decline.pending}
          data-testid="agent-decline"
          onClick={() => void decline.run({ callId: offer.callId, agentId: offer.agentId })}
        >
          {t('agentDesk.offer.decline')}
        </button>
      </div>
    </div>
  );
}

function CallPanel({
  callId,
  offer,
  lines,
}: {
  callId: string;
  offer: Offer | null;
  lines: Line[];
}) {
  const { t } = useTranslation();
  const [startedAt] = useState(() => Date.now());
  const now = useNow(500);
  const [muted, setMuted] = useState(false);
  const [held, setHeld] = useState(false);
  const mute = useMutation('calls.mute');
  const hold = useMutation('calls.hold');
  const dtmf = useMutation('calls.dtmf');
  const hangup = useMutation('calls.hangup');
  const error = mute.error ?? hold.error ?? dtmf.error ?? hangup.error;
  return (
    <div className="card" data-testid="agent-call" data-call-id={callId}>
      <h2 className="card-title">
        {t('agentDesk.call.title')}:{' '}
        {offer?.context.contact.name ?? offer?.context.contact.phone ?? ''}{' '}
        <span
          className="mono"
          data-testid="agent-call-timer"
          aria-label={t('agentDesk.call.duration')}
        >
          {clock(now - startedAt)}
        </span>{' '}
        {muted ? <Badge tone="warning">{t('agentDesk.call.muted')}</Badge> : null}
        {held ? <Badge tone="info">{t('agentDesk.call.onHold')}</Badge> : null}
      </h2>
      <div className="form-actions">
        <button
          type="button"
          className="button button-secondary"
          aria-pressed={muted}
          data-testid="agent-mute"
          onClick={async () => {
            const result = await mute.run({ callId, muted: !muted });
            if (result) setMuted(result.muted);
          }}
        >
          {muted ? t('agentDesk.call.unmute') : t('agentDesk.call.mute')}
        </button>
        <button
          type="button"
          className="button button-secondary"
          aria-pressed={held}
          data-testid="agent-hold"
          onClick={async () => {
            const result = await hold.run({ id: callId, hold: !held });
            if (result?.done) setHeld(!held);
          }}
        >
          {held ? t('agentDesk.call.resume') : t('agentDesk.call.hold')}
        </button>
        <button
          type="button"
          className="button button-danger"
          disabled={hangup.pending}
          data-testid="agent-hangup"
          onClick={() => void hangup.run({ id: callId })}
        >
          {t('agentDesk.call.hangup')}
        </button>
      </div>
      {error ? <ErrorNotice error={error} /> : null}
      <div className="split">
        <div className="split-main">
          <h3 className="section-title" style={{ margin: '16px 0 8px' }}>
            {t('agentDesk.call.transcript')}
          </h3>
          <Transcript lines={lines} testId="agent-call-transcript" />
        </div>
        <aside className="split-side">
          <h3 className="section-title" style={{ margin: '16px 0 8px' }}>
            {t('agentDesk.call.keypad')}
          </h3>
          {/* A phone's 3 × 4 keypad. */}
          <div
            role="group"
            aria-label={t('agentDesk.call.keypad')}
            style={{ display: 'grid', gridTemplateColumns: 'repeat(3, 3.25rem)', gap: 8 }}
          >
            {KEYS.map((key) => (
              <button
                key={key}
                type="button"
                className="button button-secondary button-small"
                data-testid={`agent-dtmf-${key}`}
                onClick={() => void dtmf.run({ id: callId, digits: key })}
              >
                {key}
              </button>
            ))}
          </div>
        </aside>
      </div>
    </div>
  );
}

/** A datetime-local value ("2026-11-28T10:30") as epoch ms in this browser's zone; null when empty. */
function localInputToMs(value: string): number | null {
  if (value === '') return null;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? ms : null;
}

function WrapUpForm({
  callId,
  deadline,
  offer,
}: {
  callId: string;
  deadline: number | null;
  offer: Offer | null;
}) {
  const { t, i18n } = useTranslation();
  const now = useNow(250, deadline !== null);
  const dispositions = useCommand('dispositions.list', {});
  const submit = useMutation('calls.wrapUp');
  const [disposition, setDisposition] = useState('');
  const [notes, setNotes] = useState('');
  const [callbackAt, setCallbackAt] = useState('');
  const [doNotCall, setDoNotCall] = useState(false);
  const ids = useId();
  const list = dispositions.data?.dispositions ?? [];
  // Agent dispositions first; the system ones an agent may also pick (callback scheduled, opted out…).
  const ordered = [
    ...list.filter((d) => d.kind === 'agent'),
    ...list.filter((d) => d.kind === 'system'),
  ];
  const chosen = disposition || ordered[0]?.code || '';

  const send = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const at = localInputToMs(callbackAt);
    await submit.run({
      callId,
      disposition: chosen,
      notes,
      doNotCall,
      ...(at === null ? {} : { callbackAt: at }),
    });
  };
  return (
    <form
      className="card form"
      onSubmit={send}
      data-testid="agent-wrapup-form"
      data-call-id={callId}
    >
      <h2 className="card-title">
        {t('agentDesk.wrapUp.title')}
        {offer ? `: ${offer.context.contact.name ?? offer.context.contact.phone}` : ''}{' '}
        {deadline !== null ? (
          <Badge tone="warning" testId="wrapup-countdown">
            {t('agentDesk.wrapUp.timeLeft', { seconds: seconds(deadline - now) })}
          </Badge>
        ) : null}
      </h2>
      <div className="form-grid">
        <div className="field">
          <label className="field-label" htmlFor={`${ids}-d`}>
            {t('agentDesk.wrapUp.disposition')}
          </label>
          <select
            id={`${ids}-d`}
            className="input"
            value={chosen}
            onChange={(e) => setDisposition(e.target.value)}
            data-testid="wrapup-disposition"
          >
            {ordered.map((d) => (
              <option key={d.code} value={d.code}>
                {i18n.language === 'zh-CN' ? d.labelZh : d.labelEn}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label className="field-label" htmlFor={`${ids}-n`}>
            {t('agentDesk.wrapUp.notes')}
          </label>
          <textarea
            id={`${ids}-n`}
            className="input"
            rows={4}
            value={notes}
            onChange={(e) => setNotes(e.target.value)}
            data-testid="wrapup-notes"
          />
        </div>
        <div className="field">
          <label className="field-label" htmlFor={`${ids}-c`}>
            {t('agentDesk.wrapUp.callbackAt')}
          </label>
          <input
            id={`${ids}-c`}
            className="input"
            type="datetime-local"
            value={callbackAt}
            onChange={(e) => setCallbackAt(e.target.value)}
            data-testid="wrapup-callback"
          />
          <p className="field-help">{t('agentDesk.wrapUp.callbackHelp')}</p>
        </div>
        <div className="field field-checkbox">
          <div className="checkbox">
            <input
              id={`${ids}-x`}
              type="checkbox"
              checked={doNotCall}
              onChange={(e) => setDoNotCall(e.target.checked)}
              data-testid="wrapup-dnc"
            />
            <label htmlFor={`${ids}-x`} className="field-label">
              {t('agentDesk.wrapUp.doNotCall')}
            </label>
          </div>
        </div>
      </div>
      {submit.error ? <ErrorNotice error={submit.error} testId="wrapup-error" /> : null}
      <div className="form-actions">
        <button
          type="submit"
          className="button button-primary"
          disabled={submit.pending || chosen === ''}
          data-testid="wrapup-submit"
        >
          {t('agentDesk.wrapUp.submit')}
        </button>
      </div>
    </form>
  );
}
