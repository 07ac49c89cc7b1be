/**
 * Seat legs (issue 16 §3): SIP calls between two seats' media hosts through the PBX, so an agent
 * or supervisor on one seat joins a call another seat holds.
 *
 * - `SeatLine`, on the person's seat: one SIP user registered on the PBX for the seat
 *   (`seat-<id>`). It answers an incoming leg only when the engine expects it (`seat.expect`: the
 *   call id and role in the X-Outbound-Call / X-Outbound-Role headers, within its time); any
 *   other INVITE is refused with 404 and a reason, never answered. An answered leg sends the
 *   person's microphone and plays what comes back on their speaker (an <audio> marked with
 *   data-party = role and data-seat-leg = call id, so a test attached to the page can tap it).
 * - `dialSeatLeg`, on the call's seat: places the leg on the call's trunk and resolves with the
 *   far end's audio once it is answered; CallAudio then uses it in place of a local microphone.
 */
import type * as JsSIP from 'jssip';
import type { RTCSession } from 'jssip/lib/RTCSession.js';
import type { IncomingRTCSessionEvent, RTCSessionEvent } from 'jssip/lib/UA.js';

import {
  REFER_CALL_PARAM as CALL_PARAM,
  REFER_ROLE_PARAM as ROLE_PARAM,
  REFER_VIA_PARAM as VIA_PARAM,
  type TrunkConfig,
} from '../../../electron/engine/api/media-host.js';
import { openMicrophone } from './audio.js';
import { TrunkAgent, type TrunkLinkState } from './trunk-agent.js';

export type SeatRole = 'agent' | 'supervisor';

export const CALL_HEADER = 'X-Outbound-Call';
export const ROLE_HEADER = 'X-Outbound-Role';
/** How long an expected leg may take to arrive before the expectation lapses. */
const EXPECT_MS = 30_000;

export interface SeatLegEvent {
  callId: string;
  role: SeatRole;
  state: 'answered' | 'ended' | 'refused';
  detail: string | null;
}

interface Expected {
  inputDeviceId: string;
  outputDeviceId: string;
  until: number;
  /** The customer may come instead of a leg (a REFER): where the call then lives on this host. */
  adopt?: { channel: number; rtpTimeoutMs: number } | undefined;
}

/** An expected customer, sent here by the call's seat's REFER. */
export interface Transferred {
  callId: string;
  session: RTCSession;
  inputDeviceId: string;
  outputDeviceId: string;
  adopt: { channel: number; rtpTimeoutMs: number };
}

interface AnsweredLeg {
  session: RTCSession;
  microphone: MediaStream;
  speaker: HTMLAudioElement;
}

const key = (callId: string, role: SeatRole): string => `${role}/${callId}`;

export class SeatLine {
  private readonly agent: TrunkAgent;
  private readonly expected = new Map<string, Expected>();
  private readonly legs = new Map<string, AnsweredLeg>();

  constructor(
    readonly config: TrunkConfig,
    private readonly handlers: {
      onState(state: TrunkLinkState, reason: string | null): void;
      onLeg(event: SeatLegEvent): void;
      /** The customer of an expected call arrived by REFER: the host takes the call over. */
      onTransferred(call: Transferred): void;
    },
  ) {
    this.agent = new TrunkAgent(config, {
      onState: (state, reason) => handlers.onState(state, reason),
      onSipMessage: () => undefined,
      onReconnected: () => undefined,
    });
    this.agent.ua.on('newRTCSession', (event: RTCSessionEvent) => {
      if (event.originator !== 'remote') return;
      void this.incoming(event as IncomingRTCSessionEvent);
    });
  }

  get user(): string {
    return this.config.username ?? '';
  }

  waitUntilReady(timeoutMs: number): Promise<boolean> {
    return this.agent.waitUntilReady(timeoutMs);
  }

  expect(callId: string, role: SeatRole, devices: Omit<Expected, 'until'>): void {
    this.expected.set(key(callId, role), { ...devices, until: Date.now() + EXPECT_MS });
  }

  /** Drops an expectation and hangs up its leg when one is up. */
  release(callId: string, role: SeatRole): void {
    this.expected.delete(key(callId, role));
    const leg = this.legs.get(key(callId, role));
    if (leg) terminate(leg.session);
  }

  stop(): void {
    for (const leg of this.legs.values()) terminate(leg.session);
    this.agent.stop();
  }

  private async incoming({ session, request }: IncomingRTCSessionEvent): Promise<void> {
    // A leg from the call's seat carries headers; the customer sent by a REFER, the To's parameters.
    const to = request.to.uri;
    const referred =
      !request.hasHeader(CALL_HEADER) && to.getParam(VIA_PARAM) === 'refer' ? to : null;
    const callId = referred
      ? String(referred.getParam(CALL_PARAM) ?? '')
      : request.getHeader(CALL_HEADER);
    const rawRole = referred
      ? String(referred.getParam(ROLE_PARAM) ?? '')
      : request.getHeader(ROLE_HEADER);
    const role: SeatRole | null = rawRole === 'agent' || rawRole === 'supervisor' ? rawRole : null;
    const wanted = callId && role ? this.expected.get(key(callId, role)) : undefined;
    if (referred && callId && role === 'agent' && wanted?.adopt && wanted.until >= Date.now()) {
      this.expected.delete(key(callId, role));
      this.handlers.onTransferred({
        callId,
        session,
        inputDeviceId: wanted.inputDeviceId,
        outputDeviceId: wanted.outputDeviceId,
        adopt: wanted.adopt,
      });
      return;
    }
    if (
      !callId ||
      !role ||
      !wanted ||
      wanted.until < Date.now() ||
      this.legs.has(key(callId, role))
    ) {
      const reason = !callId || !role ? 'Not a seat leg' : 'No pending seat leg for this call';
      terminate(session, 404, reason);
      if (callId && role)
        this.handlers.onLeg({ callId, role, state: 'refused', detail: `404 ${reason}` });
      return;
    }
    this.expected.delete(key(callId, role));
    let microphone: MediaStream;
    try {
      microphone = await openMicrophone(wanted.inputDeviceId);
    } catch (error) {
      terminate(session, 480, 'Microphone unavailable');
      this.handlers.onLeg({
        callId,
        role,
        state: 'refused',
        detail: `microphone: ${String(error)}`,
      });
      return;
    }
    const speaker = document.createElement('audio');
    speaker.autoplay = true;
    speaker.dataset.party = role;
    speaker.dataset.seatLeg = callId;
    document.body.append(speaker);
    const leg: AnsweredLeg = { session, microphone, speaker };
    this.legs.set(key(callId, role), leg);
    session.on('peerconnection', ({ peerconnection }: { peerconnection: RTCPeerConnection }) => {
      peerconnection.addEventListener('track', (event) => {
        if (event.track.kind !== 'audio') return;
        speaker.srcObject = new MediaStream([event.track]);
        void playOn(speaker, wanted.outputDeviceId);
      });
    });
    let over = false;
    const end = (detail: string): void => {
      if (over) return;
      over = true;
      this.legs.delete(key(callId, role));
      for (const track of microphone.getTracks()) track.stop();
      speaker.pause();
      speaker.srcObject = null;
      speaker.remove();
      this.handlers.onLeg({ callId, role, state: 'ended', detail });
    };
    session.on('confirmed', () =>
      this.handlers.onLeg({ callId, role, state: 'answered', detail: null }),
    );
    session.on('ended', (e: { originator: string; cause: string }) =>
      end(`${e.originator}: ${e.cause}`),
    );
    session.on('failed', (e: { originator: string; cause: string }) =>
      end(`${e.originator}: ${e.cause}`),
    );
    try {
      session.answer({
        mediaStream: microphone,
        mediaConstraints: { audio: true, video: false },
        pcConfig: { iceServers: [], rtcpMuxPolicy: 'require' },
      });
    } catch (error) {
      terminate(session, 500, 'Could not answer');
      end(`could not answer: ${String(error)}`);
    }
  }
}

/**
 * The call's seat calls the person's seat line: `outgoing` is what they will hear. Resolves with
 * their audio once the leg is answered and its audio track arrived; rejects with the SIP status
 * (a seat that expected nobody answers 404).
 */
export function dialSeatLeg(
  ua: JsSIP.UA,
  target: string,
  headers: string[],
  outgoing: MediaStream,
  timeoutMs: number,
): Promise<{ session: RTCSession; voice: MediaStream }> {
  return new Promise((resolve, reject) => {
    let track: MediaStreamTrack | null = null;
    let accepted = false;
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      terminate(session);
      reject(new Error(`the seat leg to ${target} was not answered within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = (): void => {
      if (settled || !track || !accepted) return;
      settled = true;
      clearTimeout(timer);
      resolve({ session, voice: new MediaStream([track]) });
    };
    const session = ua.call(target, {
      mediaStream: outgoing,
      mediaConstraints: { audio: true, video: false },
      pcConfig: { iceServers: [], rtcpMuxPolicy: 'require' },
      rtcOfferConstraints: { offerToReceiveAudio: true, offerToReceiveVideo: false },
      extraHeaders: headers,
      sessionTimersExpires: 120,
    });
    session.connection?.addEventListener('track', (event) => {
      if (event.track.kind !== 'audio') return;
      track = event.track;
      done();
    });
    session.on('accepted', () => {
      accepted = true;
      done();
    });
    session.on('failed', (e) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const message = e.message as { status_code?: number; reason_phrase?: string } | undefined;
      const status = message?.status_code;
      reject(
        new Error(
          `the seat leg to ${target} failed: ${status ? `${status} ${message?.reason_phrase ?? ''}`.trim() : e.cause}`,
        ),
      );
    });
  });
}

function terminate(session: RTCSession, status?: number, reason?: string): void {
  try {
    if (session.isEnded()) return;
    session.terminate(status ? { status_code: status, reason_phrase: reason ?? '' } : {});
  } catch (error) {
    console.warn('terminating a seat leg failed', error);
  }
}

async function playOn(element: HTMLAudioElement, outputDeviceId: string): Promise<void> {
  if (outputDeviceId && 'setSinkId' in element)
    await (element as HTMLAudioElement & { setSinkId(id: string): Promise<void> })
      .setSinkId(outputDeviceId)
      .catch((error: unknown) =>
        console.warn(`the speaker ${outputDeviceId} could not be used: ${String(error)}`),
      );
  await element
    .play()
    .catch((error: unknown) => console.warn(`a seat leg's speaker did not play: ${String(error)}`));
}
