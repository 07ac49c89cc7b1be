import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

import type {
  ApiError,
  ChatEnded,
  ChatTurn,
  CommandParams,
  FlowDetail,
} from '../../api/contract.js';
import { toApiError } from '../../api/errors.js';
import { useApi } from '../../api/hooks.js';
import { type FlowDispositionLabels, useDispositionLabel } from '../../i18n/dispositions.js';
import { useFormat } from '../../i18n/format.js';
import { ErrorNotice } from '../../ui/ErrorNotice.js';

interface TestChatProps {
  name: string;
  version: number;
  fields: FlowDetail['contactFields'];
  /** The flow's own disposition labels (its definition's `dispositions`), shown at the chat's end. */
  dispositions?: FlowDispositionLabels;
}

/** A typed contact value: numbers stay numbers (flows compare amounts), like the CLI's --contact. */
function contactValue(text: string): string | number {
  const trimmed = text.trim();
  return trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : text;
}

/** The test chat: contact fields, then the customer's side of the conversation (text, keys, silence). */
export function TestChat({ name, version, fields, dispositions }: TestChatProps) {
  const { t } = useTranslation();
  const dispositionLabel = useDispositionLabel(dispositions);
  const api = useApi();
  const formId = useId();
  const [contact, setContact] = useState<Record<string, string>>(() =>
    Object.fromEntries(fields.map((f) => [f.name, f.default === null ? '' : String(f.default)])),
  );
  const [chatId, setChatId] = useState<string | null>(null);
  const [turns, setTurns] = useState<ChatTurn[]>([]);
  const [ended, setEnded] = useState<ChatEnded>(null);
  const [text, setText] = useState('');
  const [digits, setDigits] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const chatRef = useRef<string | null>(null);
  chatRef.current = chatId;

  // A chat left behind (another flow, another page) is stopped; the engine would drop it after 10 idle minutes anyway.
  useEffect(
    () => () => {
      if (chatRef.current)
        void api.request('flows.chat.stop', { chatId: chatRef.current }).catch(() => undefined);
    },
    [api],
  );

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (caught) {
      setError(toApiError(caught));
    } finally {
      setBusy(false);
    }
  };

  const start = () =>
    run(async () => {
      if (chatId) await api.request('flows.chat.stop', { chatId }).catch(() => undefined);
      const values = Object.fromEntries(
        Object.entries(contact)
          .filter(([, v]) => v.trim() !== '')
          .map(([k, v]) => [k, contactValue(v)]),
      );
      const result = await api.request('flows.chat.start', { name, version, contact: values });
      setChatId(result.chatId);
      setTurns(result.turns);
      setEnded(result.ended);
    });

  const send = (params: Omit<CommandParams<'flows.chat.send'>, 'chatId'>) =>
    run(async () => {
      if (!chatId) return;
      const result = await api.request('flows.chat.send', { chatId, ...params });
      setTurns((previous) => [...previous, ...result.turns]);
      setEnded(result.ended);
    });

  const onSay = (event: FormEvent) => {
    event.preventDefault();
    if (text.trim() === '') return;
    void send({ text }).then(() => setText(''));
  };
  const onPress = (event: FormEvent) => {
    event.preventDefault();
    if (!/^[0-9*#]+$/.test(digits)) return;
    void send({ digits }).then(() => setDigits(''));
  };

  const waiting = chatId !== null && ended === null;
  return (
    <section className="card test-chat" data-testid="flow-chat">
      <h3 className="card-title">{t('flows.chat.title')}</h3>
      <p className="muted">{t('flows.chat.help')}</p>
      <fieldset className="chat-contact">
        <legend>{t('flows.chat.contact')}</legend>
        {fields.length === 0 ? <p className="muted">{t('flows.chat.noFields')}</p> : null}
        {fields.map((f) => (
          <label key={f.name} className="chat-contact-field">
            <span className="mono">{f.name}</span>
            <input
              className="input"
              value={contact[f.name] ?? ''}
              onChange={(event) =>
                setContact((previous) => ({ ...previous, [f.name]: event.target.value }))
              }
              data-testid={`chat-contact-${f.name}`}
            />
          </label>
        ))}
      </fieldset>
      <div className="form-actions">
        <button
          type="button"
          className="button button-primary"
          onClick={() => void start()}
          disabled={busy}
          data-testid="chat-start"
        >
          {chatId ? t('flows.chat.restart') : t('flows.chat.start')}
        </button>
      </div>
      {error ? <ErrorNotice error={error} title={t('errors.loadFailed')} /> : null}
      {chatId === null ? (
        <p className="muted">{t('flows.chat.notStarted')}</p>
      ) : (
        <ol
          className="chat-turns"
          aria-label={t('flows.chat.turnsCaption')}
          aria-live="polite"
          data-testid="chat-turns"
        >
          {turns.map((turn, index) => (
            <ChatTurnItem key={index} turn={turn} dispositionLabel={dispositionLabel} />
          ))}
        </ol>
      )}
      {ended ? (
        <p
          className="notice notice-success"
          data-testid="chat-ended"
          data-disposition={ended.disposition}
        >
          {t('flows.chat.ended', {
            reason: t(`flows.chat.endReason.${ended.reason}`),
            disposition: dispositionLabel(ended.disposition),
          })}
        </p>
      ) : null}
      {waiting ? (
        <div className="chat-inputs">
          <form className="chat-say" onSubmit={onSay} id={`${formId}-say`}>
            <label className="sr-only" htmlFor={`${formId}-text`}>
              {t('flows.chat.say')}
            </label>
            <input
              id={`${formId}-text`}
              className="input"
              value={text}
              onChange={(event) => setText(event.target.value)}
              placeholder={t('flows.chat.sayPlaceholder')}
              data-testid="chat-text"
              disabled={busy}
            />
            <button
              type="submit"
              className="button button-secondary"
              disabled={busy || text.trim() === ''}
              data-testid="chat-send"
            >
              {t('flows.chat.send')}
            </button>
          </form>
          <form className="chat-keys" onSubmit={onPress}>
            <label className="sr-only" htmlFor={`${formId}-digits`}>
              {t('flows.chat.keys')}
            </label>
            <input
              id={`${formId}-digits`}
              className="input input-short mono"
              value={digits}
              onChange={(event) => setDigits(event.target.value.replace(/[^0-9*#]/g, ''))}
              placeholder={t('flows.chat.keysPlaceholder')}
              inputMode="tel"
              data-testid="chat-digits"
              disabled={busy}
            />
            <button
              type="submit"
              className="button button-secondary"
              disabled={busy || digits === ''}
              data-testid="chat-press"
            >
              {t('flows.chat.press')}
            </button>
            <button
              type="button"
              className="button button-ghost"
              onClick={() => void send({ silence: true })}
              disabled={busy}
              data-testid="chat-silence"
            >
              {t('flows.chat.silence')}
            </button>
          </form>
        </div>
      ) : null}
    </section>
  );
}

function ChatTurnItem({
  turn,
  dispositionLabel,
}: {
  turn: ChatTurn;
  dispositionLabel: (code: string) => string;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  let text: string;
  if (turn.speaker !== 'system') {
    text = turn.kind === 'silence' ? t('flows.chat.silent') : turn.text;
  } else {
    const attempt = format.number(turn.attempt ?? 1);
    switch (turn.kind) {
      case 'no_input':
        text = turn.exhausted
          ? t('flows.chat.turn.no_inputExhausted', { attempt })
          : t('flows.chat.turn.no_input', { attempt });
        break;
      case 'no_match':
        text = turn.exhausted
          ? t('flows.chat.turn.no_matchExhausted', { attempt })
          : t('flows.chat.turn.no_match', { attempt });
        break;
      case 'confirmation':
        text = t(`flows.chat.turn.confirmation_${turn.result ?? 'unclear'}`, {
          intent: turn.intent ?? '',
          attempt,
        });
        break;
      case 'variable_set':
        text = t('flows.chat.turn.variable_set', {
          name: turn.name ?? '',
          value: JSON.stringify(turn.value ?? null),
        });
        break;
      case 'transfer':
        text = t('flows.chat.turn.transfer', {
          queue: turn.queue ?? '',
          reason: turn.reason ?? '',
        });
        break;
      case 'callback':
        text = t('flows.chat.turn.callback', {
          at: turn.at ? format.dateTime(Date.parse(turn.at)) : '',
        });
        break;
      case 'callback_unavailable':
        text = t('flows.chat.turn.callback_unavailable', { reason: turn.reason ?? '' });
        break;
      case 'ended':
        text = t('flows.chat.turn.ended', {
          reason: isEndReason(turn.reason)
            ? t(`flows.chat.endReason.${turn.reason}`)
            : (turn.reason ?? ''),
          disposition: turn.disposition === undefined ? '' : dispositionLabel(turn.disposition),
        });
        break;
      default:
        text = turn.text;
    }
  }
  const showMatch = turn.intent !== undefined && turn.confidence !== undefined;
  return (
    <li
      className={`chat-turn chat-turn-${turn.speaker}`}
      data-testid="chat-turn"
      data-speaker={turn.speaker}
      data-kind={turn.kind}
      data-intent={turn.intent ?? ''}
    >
      <div className="utterance-meta">
        <span className="utterance-speaker">{t(`flows.chat.${turn.speaker}`)}</span>
        {turn.nodeId ? (
          <span className="mono">{t('flows.chat.node', { node: turn.nodeId })}</span>
        ) : null}
      </div>
      <p className="utterance-text">{text}</p>
      {showMatch ? (
        <div className="utterance-tags">
          {turn.speaker === 'system' ? (
            <span className="tag" data-testid="chat-best-guess">
              {t('flows.chat.bestGuess', {
                intent: turn.intent ?? '',
                value: format.percent(turn.confidence ?? 0),
              })}
            </span>
          ) : (
            <>
              <span className="tag" data-testid="chat-intent">
                {t('flows.chat.intent', { intent: turn.intent ?? '' })}
              </span>
              <span className="tag" data-testid="chat-confidence">
                {t('flows.chat.confidence', { value: format.percent(turn.confidence ?? 0) })}
              </span>
              {turn.matchedBy ? (
                <span className="tag tag-muted">{t(`flows.chat.matchedBy.${turn.matchedBy}`)}</span>
              ) : null}
            </>
          )}
        </div>
      ) : null}
    </li>
  );
}

const END_REASONS = ['hangup', 'transfer', 'cancelled', 'error'] as const;

function isEndReason(reason: string | undefined): reason is (typeof END_REASONS)[number] {
  return (END_REASONS as readonly (string | undefined)[]).includes(reason);
}
