/**
 * Abandoned calls: a call answered by a person that finds no agent within 2 s of the end of the
 * person's greeting is abandoned. It hears a short information message (who called, and how to
 * stop the calls), is stored with the outcome `abandoned` and the reason, and its number rests
 * 72 h (policy.ts) unless a campaign reserves an agent for it.
 *
 * The 2 s run from the greeting's end as greeting.ts finds it on the call's audio (the last speech
 * before the silence of a "hello?"). Without that clock, or when nothing is said, the greeting is
 * taken to end GREETING_ALLOWANCE_MS (1 s) after the answer. A call the campaign's AMD calls a
 * machine (and acts on) is withdrawn from the queue and left to AMD: it is not a person, so it is
 * neither abandoned nor counted. The campaign's message texts and their defaults are in the API
 * (api/campaigns.ts PredictiveSettingsSchema).
 */
import { GREETING_ALLOWANCE_MS, type GreetingEnd } from './greeting.js';

/** A person's greeting ended and no agent took the call within this long: abandoned. */
export const ABANDON_AFTER_MS = 2_000;

/** An abandoned call's number is not called again for this long, unless an agent is reserved. */
export const ABANDONED_REST_MS = 72 * 3_600_000;

/** The message's text for a campaign: its own or the default, with `{campaign}` filled in. */
export function abandonMessageText(template: string, campaignName: string): string {
  return template.replaceAll('{campaign}', campaignName).trim();
}

/** What connectOrAbandon needs of a live call (CallSession has it all). */
export interface AbandonableCall {
  readonly callId: string;
  readonly answeredAt: number | null;
  readonly isUp: boolean;
  readonly state: string;
  note(type: 'transfer_unanswered', data: { queue: string; reason: string }): void;
  setDisposition(code: string): Promise<void>;
  /** The outcome the call is stored with when it ends normally (instead of `completed`). */
  setAnsweredOutcome(outcome: 'abandoned'): void;
  play(frames: Int16Array[]): Promise<unknown>;
  hangup(reason: string, by?: string): Promise<void>;
}

export interface ConnectOrAbandonOptions {
  queue: string;
  /** Resolves true when an agent took the call (routing's transfer, auto-accepted). */
  handoff: Promise<boolean>;
  /**
   * Cancels the transfer (routing's TransferInfo.signal): out of the queue, or never into it when
   * routing is still on its way there. The handoff then settles as not taken, unless an accept is
   * already under way.
   */
  withdraw(): void;
  /** The information message, rendered (TTS or cache); empty when it cannot be. */
  message(): Promise<Int16Array[]>;
  /**
   * The greeting's end (greeting.ts watchGreeting), or a machine. Omitted: the greeting is taken
   * to end GREETING_ALLOWANCE_MS after the answer.
   */
  greeting?: Promise<GreetingEnd>;
  /**
   * Settles when the campaign's AMD decides a machine it acts on (hang up or leave a message),
   * whenever that comes: such a call is never abandoned (AMD ends it as `machine`).
   */
  machine?: Promise<void>;
  onError(what: string, error: unknown): void;
  now?: () => number;
}

/**
 * A predictive call, answered by a person, goes to an agent within ABANDON_AFTER_MS of the end of
 * the person's greeting or is abandoned: taken out of the queue, it hears the information message,
 * and ends stored as `abandoned` (disposition `abandoned`) with the reason. An agent whose accept
 * was already under way when the time ran out keeps the call (the withdrawn transfer settles with
 * that accept). A machine (the greeting clock says so) is withdrawn and left to AMD: 'machine'.
 */
export async function connectOrAbandon(
  call: AbandonableCall,
  options: ConnectOrAbandonOptions,
): Promise<'taken' | 'abandoned' | 'machine' | 'gone'> {
  const now = options.now ?? Date.now;
  const answeredAt = call.answeredAt ?? now();
  const greeting: Promise<GreetingEnd> =
    options.greeting ??
    Promise.resolve({
      kind: 'person',
      at: answeredAt + GREETING_ALLOWANCE_MS,
      source: 'allowance',
    });
  let isMachine = false;
  const machine = options.machine?.then(() => {
    isMachine = true;
    return 'machine' as const;
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let over = false;
  let greetingEnd: GreetingEnd | null = null;
  const clock = greeting.then(
    (end) =>
      new Promise<'timeout' | 'machine'>((resolve) => {
        greetingEnd = end;
        if (end.kind === 'machine') return resolve('machine');
        if (over) return;
        timer = setTimeout(
          () => resolve('timeout'),
          Math.max(0, end.at + ABANDON_AFTER_MS - now()),
        );
      }),
  );
  const handoff = options.handoff.catch((error: unknown) => {
    options.onError('handing the call to an agent', error);
    return false;
  });
  const first = await Promise.race([handoff, clock, ...(machine ? [machine] : [])]);
  over = true;
  clearTimeout(timer);
  let taken = first === true;
  if (first === 'timeout' || first === 'machine') {
    options.withdraw();
    taken = await handoff;
  }
  if (taken || call.state === 'agent') return 'taken';
  // AMD's hang-up may be what ended the handoff: a machine, not an abandoned person.
  if (first === 'machine' || isMachine) return 'machine';
  if (!call.isUp) return 'gone';
  const end = greetingEnd as GreetingEnd | null;
  const from =
    end?.kind === 'person' && end.source !== 'allowance'
      ? "the greeting's end"
      : `the answer + ${GREETING_ALLOWANCE_MS / 1000} s`;
  const reason = `no agent within ${ABANDON_AFTER_MS / 1000} s of ${from} (predictive)`;
  const endAt = end?.kind === 'person' ? end.at : answeredAt + GREETING_ALLOWANCE_MS;
  call.note('transfer_unanswered', {
    queue: options.queue,
    reason: `${reason}: abandoned ${now() - answeredAt} ms after the answer, ${now() - endAt} ms after the greeting's end`,
  });
  call.setAnsweredOutcome('abandoned');
  await call
    .setDisposition('abandoned')
    .catch((e: unknown) => options.onError('storing the disposition', e));
  const frames = await options.message().catch((error: unknown) => {
    options.onError('rendering the information message', error);
    return [];
  });
  if (frames.length > 0 && call.isUp) await call.play(frames);
  if (call.isUp)
    await call.hangup(`abandoned: ${reason}; the information message was played`, 'dialer');
  return 'abandoned';
}
